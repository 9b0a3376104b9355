/**
 * `hub prune [--dry-run] [--json]` through `main(argv, io)`, with the config's maintenance
 * settings, on a clawdbot store.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DAY, FIXTURES_DIR, NOW, hub, snapshot, storeOf, useTempDir, writeJson, writeTranscript } from "./helpers.js";

const tmp = useTempDir();

/** The clawdbot fixture (its newest entry ~3 h before NOW, group:legacy-team ~13.6 days) plus files. */
async function seedClawdbot(): Promise<{ store: string; dir: string }> {
  const dir = path.join(tmp(), "clawdbot");
  const store = path.join(dir, "sessions.json");
  await fs.mkdir(dir);
  await fs.writeFile(store, await fs.readFile(path.join(FIXTURES_DIR, "clawdbot-sessions.json")));
  await writeTranscript(path.join(dir, "legacy-session-1.jsonl"), "legacy-session-1", ["old team chat"]);
  const oldTemp = path.join(dir, "sessions.json.tmp");
  await fs.writeFile(oldTemp, "{");
  await fs.utimes(oldTemp, new Date(NOW - DAY), new Date(NOW - DAY));
  await fs.writeFile(path.join(tmp(), "hub.json5"), "{ session: { maintenance: { pruneAfter: '7d' } } }");
  return { store, dir };
}

describe("hub prune", () => {
  it("--dry-run --json reports what would happen and changes nothing", async () => {
    const { store, dir } = await seedClawdbot();
    const before = await snapshot(tmp());
    const r = await hub(["prune", "--dry-run", "--json", "--store", store, "--state-dir", tmp()]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      removed: [
        {
          key: "group:legacy-team",
          sessionId: "legacy-session-1",
          reason: "stale",
          archived: [path.join(dir, "legacy-session-1.jsonl.deleted.2026-11-20T12-00-00-000Z")],
        },
      ],
      kept: 5,
      tempFilesRemoved: [path.join(dir, "sessions.json.tmp")],
      archivesRemoved: [],
      dryRun: true,
    });
    expect(await snapshot(tmp())).toEqual(before);
  });

  it("prunes: removes the stale entry, archives its transcript, removes the old temp file", async () => {
    const { store, dir } = await seedClawdbot();
    const r = await hub(["prune", "--store", store, "--state-dir", tmp()]);
    expect(r).toEqual({
      code: 0,
      stderr: "",
      stdout: "removed 1 session, 5 kept\n  group:legacy-team (stale): 1 transcript(s) archived\nremoved 1 leftover temp file(s)\n",
    });
    const stored = JSON.parse(await fs.readFile(store, "utf8")) as Record<string, unknown>;
    expect(Object.keys(stored)).not.toContain("group:legacy-team");
    expect(Object.keys(stored)).toHaveLength(5);
    const names = await fs.readdir(dir);
    expect(names).toContain("legacy-session-1.jsonl.deleted.2026-11-20T12-00-00-000Z");
    expect(names).not.toContain("sessions.json.tmp");
  });

  it("the text form of a dry run says 'would'", async () => {
    const { store } = await seedClawdbot();
    const r = await hub(["prune", "--dry-run", "--store", store, "--state-dir", tmp()]);
    expect(r.stdout).toBe("would remove 1 session, 5 kept\n  group:legacy-team (stale): 1 transcript(s) archived\nwould remove 1 leftover temp file(s)\n");
  });

  it("with the default 30 days nothing in a fresh store is removed, and the main session never is", async () => {
    await writeJson(storeOf(tmp()), {
      "agent:main:main": { sessionId: "s-main", updatedAt: NOW - 400 * DAY },
      "agent:main:dm:bob": { sessionId: "s-bob", updatedAt: NOW - 29 * DAY },
      "agent:main:dm:carol": { sessionId: "s-carol", updatedAt: NOW - 31 * DAY },
    });
    const r = await hub(["prune", "--json", "--state-dir", tmp()]);
    const report = JSON.parse(r.stdout) as { removed: Array<{ key: string }>; kept: number };
    expect(report.removed.map((s) => s.key)).toEqual(["agent:main:dm:carol"]);
    expect(report.kept).toBe(2);
  });

  it("a missing store says so (exit 2), nothing created", async () => {
    const r = await hub(["prune", "--state-dir", tmp()]);
    expect(r).toEqual({ code: 2, stderr: `hub prune: no session store at ${storeOf(tmp())} [E_NOT_FOUND]\n`, stdout: "" });
    expect(await fs.readdir(tmp())).toEqual([]);
  });
});
