/**
 * `hub status [--json]` through `main(argv, io)`: the store at a glance.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hostIdentity } from "../../src/backend/file/lock/lock-owner.js";
import { NOW, deadPid, hub, storeOf, useTempDir, writeJson, writeTranscript } from "./helpers.js";

const tmp = useTempDir();

const CONFIG = "{ session: { dmScope: 'per-peer', reset: { mode: 'daily', atHour: 5, idleMinutes: 120 }, timezone: 'Europe/Berlin' } }";

/** Two sessions (one active 10 minutes ago, one 2 hours ago), a transcript, a config. */
async function seed(): Promise<{ store: string; dir: string }> {
  const store = storeOf(tmp());
  const dir = path.dirname(store);
  await writeJson(store, {
    "agent:main:dm:alice": { sessionId: "s-alice", updatedAt: NOW - 10 * 60_000 },
    "agent:main:discord:group:1": { sessionId: "s-group", updatedAt: NOW - 2 * 3_600_000 },
  });
  await writeTranscript(path.join(dir, "s-alice.jsonl"), "s-alice", ["hi", "hello"]);
  await fs.writeFile(path.join(tmp(), "hub.json5"), CONFIG);
  return { store, dir };
}

async function writeLock(store: string, pid: number, ageMs: number): Promise<void> {
  const lockDir = `${store}.lock`;
  await fs.mkdir(lockDir);
  await fs.writeFile(path.join(lockDir, "owner.json"), JSON.stringify({ pid, token: "test-token", ...hostIdentity() }));
  const at = new Date(NOW - ageMs);
  await fs.utimes(lockDir, at, at);
}

describe("hub status", () => {
  it("summarizes the store, its files and the policy in force (from <state-dir>/hub.json5)", async () => {
    const { store, dir } = await seed();
    const bytes = (await fs.stat(store)).size;
    const transcriptBytes = (await fs.stat(path.join(dir, "s-alice.jsonl"))).size;
    const r = await hub(["status", "--state-dir", tmp()]);
    expect(r).toEqual({
      code: 0,
      stderr: "",
      stdout: [
        `Store:        ${store} (${(bytes / 1024).toFixed(1)} KB)`,
        "Sessions:     2 (1 active in the last hour)",
        "Newest:       agent:main:dm:alice (10m ago)",
        "Lock:         free",
        "Backup:       none yet",
        "Quarantined:  none",
        `Transcripts:  1 file(s), ${(transcriptBytes / 1024).toFixed(1)} KB`,
        `Config:       ${path.join(tmp(), "hub.json5")}`,
        "Policy:       dmScope per-peer; reset daily at 5:00, idle 120m (Europe/Berlin)",
        "Maintenance:  prune after 30d (cron/hook keys 7d), at most 500 entries, archives kept 30d",
        "Metrics:      none published (a hub publishes once it registers a gateway)",
        "",
      ].join("\n"),
    });
  });

  it("--json", async () => {
    const { store, dir } = await seed();
    await fs.writeFile(`${store}.bak`, "{}");
    await fs.writeFile(path.join(dir, "sessions.json.corrupt.2026-11-19T10-00-00-000Z"), "garbage");
    const r = await hub(["status", "--json", "--state-dir", tmp()]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      path: store,
      exists: true,
      bytes: (await fs.stat(store)).size,
      count: 2,
      activeLastHour: 1,
      newest: { key: "agent:main:dm:alice", updatedAt: NOW - 10 * 60_000, ageMs: 10 * 60_000 },
      lock: { state: "free" },
      backup: true,
      quarantined: ["sessions.json.corrupt.2026-11-19T10-00-00-000Z"],
      transcripts: { files: 1, bytes: (await fs.stat(path.join(dir, "s-alice.jsonl"))).size },
      policy: {
        source: path.join(tmp(), "hub.json5"),
        dmScope: "per-peer",
        reset: { mode: "daily", atHour: 5, idleMinutes: 120 },
        timezone: "Europe/Berlin",
        resetByType: {},
        resetByChannel: {},
        maintenance: { pruneAfter: "30d", machinePruneAfter: "7d", maxEntries: 500, archiveRetention: "30d" },
      },
      metrics: { publishers: [], total: expect.objectContaining({ counters: expect.objectContaining({ messagesReceived: 0 }) }), invalid: [] },
    });
  });

  it("shows a lock held by a live process, and a stale one left by a dead process", async () => {
    const { store } = await seed();
    await writeLock(store, process.pid, 1000);
    const held = await hub(["status", "--state-dir", tmp()]);
    expect(held.stdout).toContain(`\nLock:         held by pid ${process.pid} on ${os.hostname()}\n`);
    await fs.rm(`${store}.lock`, { recursive: true });
    const pid = await deadPid();
    await writeLock(store, pid, 1000);
    const stale = await hub(["status", "--state-dir", tmp()]);
    expect(stale.stdout).toContain(`\nLock:         stale (owner pid ${pid} is not running): hub doctor --fix removes it\n`);
    const json = JSON.parse((await hub(["status", "--json", "--state-dir", tmp()])).stdout) as { lock: unknown };
    expect(json.lock).toEqual({ state: "stale", pid, host: os.hostname(), ageMs: 1000, reason: `owner pid ${pid} is not running` });
  });

  it("a missing --config file exits 2; a missing store is \"not created yet\" and nothing is created", async () => {
    const r = await hub(["status", "--state-dir", tmp(), "--config", path.join(tmp(), "none.json5")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`hub status: cannot read config ${path.join(tmp(), "none.json5")}: file not found [E_INVALID_CONFIG]\n`);
    const ok = await hub(["status", "--state-dir", tmp()]);
    expect(ok.code).toBe(0);
    expect(ok.stdout.split("\n").slice(0, 3)).toEqual([`Store:        ${storeOf(tmp())} (not created yet)`, "Sessions:     0 (0 active in the last hour)", "Newest:       -"]);
    expect(await fs.readdir(tmp())).toEqual([]);
  });

  it("an invalid config file exits 2 with the config error on one line", async () => {
    await fs.writeFile(path.join(tmp(), "hub.json5"), "{ session: { reset: { atHour: 25 } } }");
    const r = await hub(["status", "--state-dir", tmp()]);
    expect(r).toEqual({
      code: 2,
      stdout: "",
      stderr: `hub status: invalid config ${path.join(tmp(), "hub.json5")}: session.reset.atHour: expected an integer 0-23, got 25 [E_INVALID_CONFIG]\n`,
    });
  });
});
