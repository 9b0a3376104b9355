/**
 * `hub import --follow` with real processes: a writer appends, resets, patches and deletes in
 * a file store while the built `hub` mirrors it into Postgres; the follower is SIGKILLed
 * mid-way and restarted; at the end the database equals the files (every entry, every live
 * transcript line in order, no duplicates), and SIGTERM ends the follower with exit 0.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { openFileBackend } from "../../src/backend/file/index.js";
import { runChild, type ChildRun } from "../backend/file/helpers.js";
import { createDatabase } from "../support/postgres.js";
import { REPO_ROOT, ensureDistBuilt, hub, useTempDir } from "./helpers.js";

const tmp = useTempDir("hub-cli-pg-follow-");
const CHILDREN = path.join(REPO_ROOT, "test/backend/file/children");
const BIN = path.relative(CHILDREN, path.join(REPO_ROOT, "dist/cli/bin.js"));
const WRITER = path.relative(CHILDREN, path.join(REPO_ROOT, "test/cli/children/mirror-writer.mjs"));

beforeAll(ensureDistBuilt, 120_000);

/** The state both sides hold: entries by key, and each live transcript's lines (header first). */
interface Mirror {
  entries: Record<string, unknown>;
  transcripts: Record<string, string[]>;
}

async function ofFiles(stateDir: string): Promise<Mirror> {
  const files = openFileBackend({ stateDir, readOnly: true });
  try {
    const entries: Record<string, unknown> = {};
    const transcripts: Record<string, string[]> = {};
    for (const { key, entry } of (await files.list()).sessions) {
      entries[key] = entry;
      for (const sessionId of [entry.sessionId, ...(entry.previousSessionIds ?? [])]) {
        const text = await fs.readFile(path.join(files.dir, `${sessionId}.jsonl`), "utf8").catch(() => "");
        if (text !== "") transcripts[sessionId] = text.split("\n").slice(0, -1);
      }
    }
    return { entries, transcripts };
  } finally {
    await files.close();
  }
}

async function ofDatabase(url: string): Promise<Mirror> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const entries: Record<string, unknown> = {};
    const transcripts: Record<string, string[]> = {};
    for (const row of (await client.query<{ key: string; entry: string }>("SELECT key, entry FROM session_hub.sessions WHERE agent_id = 'main'")).rows) {
      entries[row.key] = JSON.parse(row.entry);
    }
    const heads = await client.query<{ session_id: string; header: string }>("SELECT session_id, header FROM session_hub.transcripts WHERE agent_id = 'main' AND archived_at IS NULL");
    for (const { session_id: id, header } of heads.rows) {
      const lines = await client.query<{ line: string }>("SELECT line FROM session_hub.messages WHERE agent_id = 'main' AND session_id = $1 AND archived_at IS NULL ORDER BY seq", [id]);
      transcripts[id] = [header, ...lines.rows.map((r) => r.line)];
    }
    return { entries, transcripts };
  } finally {
    await client.end();
  }
}

/** The live transcripts of the entries only (the database keeps no file for archived ones). */
function used(mirror: Mirror): Mirror {
  const ids = new Set(Object.values(mirror.entries).flatMap((e) => [(e as { sessionId: string }).sessionId, ...((e as { previousSessionIds?: string[] }).previousSessionIds ?? [])]));
  return { entries: mirror.entries, transcripts: Object.fromEntries(Object.entries(mirror.transcripts).filter(([id]) => ids.has(id))) };
}

async function converged(stateDir: string, url: string, timeoutMs = 60_000): Promise<Mirror> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [files, db] = [await ofFiles(stateDir), await ofDatabase(url)];
    if (isDeepStrictEqual(used(db), used(files)) || Date.now() > deadline) {
      expect(used(db)).toEqual(used(files));
      return files;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function follower(stateDir: string, url: string): ChildRun {
  return runChild(BIN, ["import", stateDir, "--follow", "--interval", "20", "--database", url]);
}

describe("hub import --follow", () => {
  it("mirrors a live file store through a SIGKILL and a restart: the database equals the files, each line once, in order; SIGTERM exits 0", async () => {
    const stateDir = path.join(tmp(), "state");
    const url = await createDatabase("follow");
    const pauseFile = path.join(tmp(), "pause");
    await fs.writeFile(pauseFile, "");
    const writer = runChild(WRITER, [stateDir, 240, pauseFile]);
    await writer.waitForLine((l) => l === "half" || l === "done");
    const first = follower(stateDir, url);
    await first.waitForLine((l) => l.startsWith("mirrored "));
    await fs.rm(pauseFile); // the writer goes on while the follower is killed mid-way
    await new Promise((r) => setTimeout(r, 150));
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    const second = follower(stateDir, url);
    expect(await writer.exited).toBe(0);
    expect(writer.lines).toContain("done");
    const files = await converged(stateDir, url);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(second.stderr()).toBe("");
    // The run covered resets (previous sessions) and deletes (fewer keys than written to at some point).
    expect(Object.values(files.entries).some((e) => ((e as { previousSessionIds?: string[] }).previousSessionIds ?? []).length > 0)).toBe(true);
    const ids = Object.values(files.transcripts).flatMap((lines) => lines.slice(1).map((l) => (JSON.parse(l) as { id: string }).id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(100);
    // A one-shot import afterwards finds nothing to copy.
    const again = await hub(["import", stateDir, "--database", url, "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ lines: { imported: 0, conflicts: 0 } });
  }, 180_000);

  it("--interval without --follow, or below 10 ms, is a usage error", async () => {
    const url = await createDatabase("follow");
    const stateDir = path.join(tmp(), "s");
    for (const argv of [["--interval", "50"], ["--follow", "--interval", "5"], ["--follow", "--interval", "x"]]) {
      expect((await hub(["import", stateDir, "--database", url, ...argv])).code).toBe(1);
    }
  });
});
