/**
 * `hub doctor [--fix] [--json]` through `main(argv, io)`: every kind of problem it finds in a
 * real sessions directory, that it changes nothing without --fix, and what --fix repairs.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hostIdentity } from "../../src/backend/file/lock/lock-owner.js";
import { NOW, deadPid, exists, hub, snapshot, storeOf, useTempDir, writeJson, writeTranscript } from "./helpers.js";

const tmp = useTempDir();

const LEGACY = "agent:main:telegram:direct:5550001";
const CANONICAL = "agent:main:telegram:dm:5550001";

interface Finding {
  kind: string;
  severity: string;
  subject: string;
  message: string;
  fixable: boolean;
  fixed?: string;
}

/**
 * A sessions directory with one problem of every kind: a legacy key, an entry whose transcript
 * is missing, an orphaned transcript, a leftover temp file (old) next to a fresh one, a
 * quarantined store, and a stale lock whose owner is dead.
 */
async function seedProblems(): Promise<{ store: string; dir: string; pid: number }> {
  const store = storeOf(tmp());
  const dir = path.dirname(store);
  await writeJson(store, {
    "agent:main:main": { sessionId: "s-main", updatedAt: NOW - 60_000, sessionFile: "s-main.jsonl" },
    [LEGACY]: { sessionId: "s-legacy", updatedAt: NOW - 120_000, lastTo: "5550001" },
    "agent:main:discord:dm:222": { sessionId: "s-gone", updatedAt: NOW - 180_000, sessionFile: "s-gone.jsonl" },
  });
  await writeTranscript(path.join(dir, "s-main.jsonl"), "s-main", ["hi"]);
  await writeTranscript(path.join(dir, "s-legacy.jsonl"), "s-legacy", ["old"]);
  await writeTranscript(path.join(dir, "orphan.jsonl"), "orphan", ["nobody"]);
  const oldTemp = path.join(dir, "sessions.json.123456");
  await fs.writeFile(oldTemp, "{");
  const old = new Date(NOW - 10 * 60_000);
  await fs.utimes(oldTemp, old, old);
  await fs.writeFile(path.join(dir, "fresh.tmp"), "");
  await fs.utimes(path.join(dir, "fresh.tmp"), new Date(NOW), new Date(NOW));
  await fs.writeFile(path.join(dir, "sessions.json.corrupt.2026-11-19T10-00-00-000Z"), "garbage");
  const pid = await deadPid();
  await fs.mkdir(`${store}.lock`);
  await fs.writeFile(path.join(`${store}.lock`, "owner.json"), JSON.stringify({ pid, token: "t", ...hostIdentity() }));
  return { store, dir, pid };
}

function byKind(findings: Finding[]): Record<string, Finding[]> {
  const result: Record<string, Finding[]> = {};
  for (const f of findings) (result[f.kind] ??= []).push(f);
  return result;
}

describe("hub doctor", () => {
  it("finds every kind of problem and changes nothing without --fix", async () => {
    const { store, dir, pid } = await seedProblems();
    const before = await snapshot(tmp());
    const r = await hub(["doctor", "--json", "--state-dir", tmp()]);
    expect(r.code).toBe(0); // warnings and infos only
    const report = JSON.parse(r.stdout) as { path: string; fixed: boolean; findings: Finding[] };
    expect(report).toMatchObject({ path: store, fixed: false });
    const found = byKind(report.findings);
    expect(Object.keys(found).sort()).toEqual(["legacy-key", "missing-transcript", "orphaned-transcript", "quarantined-file", "stale-lock", "temp-file"]);
    expect(found["stale-lock"]).toEqual([
      { kind: "stale-lock", severity: "warn", subject: `${store}.lock`, message: `stale lock (owner pid ${pid} is not running): --fix removes it`, fixable: true },
    ]);
    expect(found["legacy-key"]).toEqual([
      { kind: "legacy-key", severity: "warn", subject: LEGACY, message: `legacy or case-variant key of ${CANONICAL}: --fix migrates it`, fixable: true },
    ]);
    expect(found["missing-transcript"]).toEqual([
      expect.objectContaining({ subject: "agent:main:discord:dm:222", message: `transcript ${path.join(dir, "s-gone.jsonl")} is missing (the next message starts a new one)`, fixable: false }),
    ]);
    expect(found["orphaned-transcript"]?.map((f) => f.subject)).toEqual([path.join(dir, "orphan.jsonl")]);
    expect(found["temp-file"]?.map((f) => f.subject)).toEqual([path.join(dir, "sessions.json.123456")]);
    expect(found["quarantined-file"]?.map((f) => f.subject)).toEqual([path.join(dir, "sessions.json.corrupt.2026-11-19T10-00-00-000Z")]);
    expect(await snapshot(tmp())).toEqual(before);
  });

  it("prints findings for people: mark, kind, subject, message", async () => {
    const { store, pid } = await seedProblems();
    const r = await hub(["doctor", "--state-dir", tmp()]);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(`Store: ${store}\n`)).toBe(true);
    expect(r.stdout).toContain(`! stale-lock: ${store}.lock\n    stale lock (owner pid ${pid} is not running): --fix removes it\n`);
    expect(r.stdout).toContain(`! legacy-key: ${LEGACY}\n    legacy or case-variant key of ${CANONICAL}: --fix migrates it\n`);
    expect(r.stdout).not.toContain("fixed:");
  });

  it("--fix repairs what is safe and says what it did; a second run finds only what it cannot fix", async () => {
    const { store, dir } = await seedProblems();
    const r = await hub(["doctor", "--fix", "--json", "--state-dir", tmp()]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { fixed: boolean; findings: Finding[] };
    expect(report.fixed).toBe(true);
    const fixed = Object.fromEntries(report.findings.filter((f) => f.fixable).map((f) => [f.kind, f.fixed]));
    expect(fixed).toEqual({
      "stale-lock": "removed",
      "legacy-key": `migrated to ${CANONICAL}`,
      "orphaned-transcript": expect.stringMatching(/^archived as orphan\.jsonl\.deleted\.2026-11-20T12-00-00-000Z$/),
      "temp-file": "removed",
    });
    expect(await exists(`${store}.lock`)).toBe(false);
    const stored = JSON.parse(await fs.readFile(store, "utf8")) as Record<string, { sessionId: string }>;
    expect(Object.keys(stored).sort()).toEqual(["agent:main:discord:dm:222", "agent:main:main", CANONICAL]);
    expect(stored[CANONICAL]?.sessionId).toBe("s-legacy");
    const names = await fs.readdir(dir);
    expect(names).toContain("orphan.jsonl.deleted.2026-11-20T12-00-00-000Z");
    expect(names).not.toContain("orphan.jsonl");
    expect(names).not.toContain("sessions.json.123456");
    expect(names).toContain("fresh.tmp");
    expect(names).toContain("s-legacy.jsonl");

    const again = JSON.parse((await hub(["doctor", "--json", "--state-dir", tmp()])).stdout) as { findings: Finding[] };
    expect(again.findings.map((f) => f.kind).sort()).toEqual(["missing-transcript", "quarantined-file"]);
  });

  it("--fix in text form prints what was done under each finding", async () => {
    await seedProblems();
    const r = await hub(["doctor", "--fix", "--state-dir", tmp()]);
    expect(r.stdout).toContain(`    legacy or case-variant key of ${CANONICAL}: --fix migrates it\n    fixed: migrated to ${CANONICAL}\n`);
    expect(r.stdout).toContain("    fixed: removed\n");
  });

  it("a corrupt store is an error (exit 2) without --fix; --fix quarantines it and restores the backup", async () => {
    const store = storeOf(tmp());
    await writeJson(store, "{\n  \"agent:main:main\": {\n    \"sessionId\": \"s-");
    await fs.writeFile(`${store}.bak`, JSON.stringify({ "agent:main:main": { sessionId: "s-main", updatedAt: NOW } }, null, 2));
    const corruptBytes = await fs.readFile(store);
    const before = await snapshot(tmp());

    const check = await hub(["doctor", "--state-dir", tmp()]);
    expect(check.code).toBe(2);
    expect(check.stdout).toContain(`✗ corrupt-store: ${store}\n    ${store} is not valid JSON (`);
    expect(check.stdout).toContain("--fix quarantines it and restores the backup\n");
    expect(await snapshot(tmp())).toEqual(before);

    const fix = await hub(["doctor", "--fix", "--state-dir", tmp()]);
    expect(fix.code).toBe(0);
    expect(fix.stderr).toMatch(/^hub: warning: .* its bytes are kept in .*sessions\.json\.corrupt\..*; restored 1 sessions from .*sessions\.json\.bak \[E_CORRUPT_STORE\]\n$/);
    expect(fix.stdout).toContain("fixed: quarantined and recovered");
    expect(JSON.parse(await fs.readFile(store, "utf8"))).toEqual({ "agent:main:main": { sessionId: "s-main", updatedAt: NOW } });
    const quarantined = (await fs.readdir(path.dirname(store))).filter((n) => n.startsWith("sessions.json.corrupt."));
    expect(quarantined).toHaveLength(1);
    expect(await fs.readFile(path.join(path.dirname(store), quarantined[0] ?? ""))).toEqual(corruptBytes);
  });

  it("a clean store: no problems; a missing store: no problems and nothing created", async () => {
    expect(await hub(["doctor", "--state-dir", tmp()])).toEqual({ code: 0, stderr: "", stdout: `Store: ${storeOf(tmp())}\nNo problems found.\n` });
    expect(await fs.readdir(tmp())).toEqual([]);
    await writeJson(storeOf(tmp()), { "agent:main:main": { sessionId: "s1", updatedAt: NOW } });
    expect((await hub(["doctor", "--state-dir", tmp()])).stdout).toBe(`Store: ${storeOf(tmp())}\nNo problems found.\n`);
  });

  it("shows progress on stderr when asked (a TTY)", async () => {
    await writeJson(storeOf(tmp()), { "agent:main:main": { sessionId: "s1", updatedAt: NOW }, "cron:x": { sessionId: "s2", updatedAt: NOW } });
    let stderr = "";
    const { main } = await import("../../src/cli/main.js");
    const code = await main(["doctor", "--state-dir", tmp()], { stdout: () => undefined, stderr: (t) => (stderr += t), env: {}, now: () => NOW, progress: true });
    expect(code).toBe(0);
    expect(stderr).toBe("\rchecking sessions 2/2\n");
  });
});
