import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pruneSessions } from "../../src/lifecycle/maintenance.js";
import type { SessionEntry } from "../../src/backend/shared/entry.js";
import { fileTimestamp } from "../../src/backend/file/store/paths.js";
import { openSessionStore, type SessionStore } from "../../src/backend/file/store/session-store.js";

const NOW = Date.parse("2026-06-01T12:00:00.000Z");
const DAY = 86_400_000;
const STAMP = fileTimestamp(NOW);
let dir: string;
let store: SessionStore;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-prune-"));
  store = openSessionStore({ path: path.join(dir, "sessions.json"), now: () => NOW, durable: false, cacheTtlMs: 0 });
});
afterEach(async () => {
  await store.close();
  await fs.rm(dir, { recursive: true, force: true });
});

async function seed(entries: Record<string, SessionEntry>, transcripts: string[] = []): Promise<void> {
  await fs.writeFile(path.join(dir, "sessions.json"), JSON.stringify(entries, null, 2));
  for (const name of transcripts) await fs.writeFile(path.join(dir, name), `${name}\n`);
}

const names = async () => (await fs.readdir(dir)).sort();
const daysAgo = (days: number) => NOW - days * DAY;

/** Every file in the directory with its bytes and mtime. */
async function snapshot(): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const name of await fs.readdir(dir)) {
    const file = path.join(dir, name);
    const stat = await fs.lstat(file);
    result[name] = stat.isFile() ? `${stat.mtimeMs}:${(await fs.readFile(file)).toString("base64")}` : "dir";
  }
  return result;
}

describe("pruneSessions: stale entries", () => {
  beforeEach(async () => {
    await seed(
      {
        "agent:main:main": { sessionId: "main-s", updatedAt: daysAgo(400) },
        "agent:main:telegram:dm:1": { sessionId: "dm1", updatedAt: daysAgo(31), previousSessionIds: ["dm1-old", "shared-old"] },
        "agent:main:telegram:group:-100:topic:7": { sessionId: "topic-s", updatedAt: daysAgo(45), sessionFile: "topic-s-topic-7.jsonl" },
        "agent:main:telegram:dm:2": { sessionId: "dm2", updatedAt: daysAgo(29), previousSessionIds: ["shared-old"] },
        "agent:main:slack:channel:c1": { sessionId: "protected-s", updatedAt: daysAgo(90) },
        "cron:nightly": { sessionId: "cron-old", updatedAt: daysAgo(8) },
        "cron:hourly": { sessionId: "cron-new", updatedAt: daysAgo(6) },
        "hook:gmail": { sessionId: "hook-old", updatedAt: daysAgo(7) - 1 },
      },
      [
        "main-s.jsonl",
        "dm1.jsonl",
        "dm1-old.jsonl",
        "dm1-topic-3.jsonl",
        "shared-old.jsonl",
        "topic-s-topic-7.jsonl",
        "dm2.jsonl",
        "protected-s.jsonl",
        "cron-old.jsonl",
        "cron-new.jsonl",
      ],
    );
  });

  it("removes stale entries in one write and archives their transcripts", async () => {
    const writesBefore = store.stats.writes;
    const report = await pruneSessions(store, { protect: ["agent:main:slack:channel:c1"], now: NOW });
    expect(store.stats.writes - writesBefore).toBe(1);

    const at = (name: string) => path.join(dir, `${name}.deleted.${STAMP}`);
    expect(report).toEqual({
      removed: [
        { key: "agent:main:telegram:group:-100:topic:7", sessionId: "topic-s", reason: "stale", archived: [at("topic-s-topic-7.jsonl")] },
        { key: "agent:main:telegram:dm:1", sessionId: "dm1", reason: "stale", archived: [at("dm1.jsonl"), at("dm1-topic-3.jsonl"), at("dm1-old.jsonl")] },
        { key: "cron:nightly", sessionId: "cron-old", reason: "stale", archived: [at("cron-old.jsonl")] },
        { key: "hook:gmail", sessionId: "hook-old", reason: "stale", archived: [] },
      ],
      kept: 4,
      tempFilesRemoved: [],
      archivesRemoved: [],
      dryRun: false,
    });

    const remaining = JSON.parse(await fs.readFile(path.join(dir, "sessions.json"), "utf8"));
    expect(Object.keys(remaining).sort()).toEqual(["agent:main:main", "agent:main:slack:channel:c1", "agent:main:telegram:dm:2", "cron:hourly"]);
    expect(await names()).toEqual(
      [
        "sessions.json",
        "sessions.json.bak",
        "main-s.jsonl",
        "dm2.jsonl",
        "shared-old.jsonl", // still referenced by dm2's previousSessionIds
        "protected-s.jsonl",
        "cron-new.jsonl",
        `dm1.jsonl.deleted.${STAMP}`,
        `dm1-old.jsonl.deleted.${STAMP}`,
        `dm1-topic-3.jsonl.deleted.${STAMP}`,
        `topic-s-topic-7.jsonl.deleted.${STAMP}`,
        `cron-old.jsonl.deleted.${STAMP}`,
      ].sort(),
    );
    expect(await fs.readFile(at("dm1.jsonl"), "utf8")).toBe("dm1.jsonl\n");
  });

  it("a dry run reports the same and leaves the directory byte-identical", async () => {
    const before = await snapshot();
    const dry = await pruneSessions(store, { protect: new Set(["agent:main:slack:channel:c1"]), dryRun: true });
    expect(await snapshot()).toEqual(before);
    const real = await pruneSessions(store, { protect: new Set(["agent:main:slack:channel:c1"]) });
    expect(dry).toEqual({ ...real, dryRun: true });
    expect(dry.removed).toHaveLength(4);
  });

  it("uses the store's clock and honours pruneAfter and machinePruneAfter", async () => {
    const report = await pruneSessions(store, { pruneAfter: "100d", machinePruneAfter: "1d" });
    expect(report.removed.map((r) => r.key)).toEqual(["cron:nightly", "hook:gmail", "cron:hourly"]);
  });

  it("caps machine retention at pruneAfter when machinePruneAfter is not set", async () => {
    const report = await pruneSessions(store, { pruneAfter: "2d", protect: ["agent:main:telegram:dm:2"] });
    expect(report.removed.map((r) => r.key).sort()).toEqual(
      [
        "agent:main:slack:channel:c1",
        "agent:main:telegram:dm:1",
        "agent:main:telegram:group:-100:topic:7",
        "cron:hourly",
        "cron:nightly",
        "hook:gmail",
      ].sort(),
    );
    expect(report.kept).toBe(2);
  });
});

describe("pruneSessions: concurrent writers", () => {
  it("selects again under the lock: an entry another process touched after the first read is kept", async () => {
    await seed({
      "agent:main:telegram:dm:1": { sessionId: "s1", updatedAt: daysAgo(40) },
      "agent:main:telegram:dm:2": { sessionId: "s2", updatedAt: daysAgo(40) },
    }, ["s1.jsonl", "s2.jsonl"]);
    const other = openSessionStore({ path: path.join(dir, "sessions.json"), durable: false, cacheTtlMs: 0 });
    // A view of the store whose first read is followed by another writer's turn.
    const racing: SessionStore = Object.create(store, {
      list: {
        value: async () => {
          const listed = await store.list();
          await other.touch("agent:main:telegram:dm:1", NOW);
          return listed;
        },
      },
    });
    const report = await pruneSessions(racing);
    await other.close();
    expect(report.removed.map((r) => r.key)).toEqual(["agent:main:telegram:dm:2"]);
    expect((await store.get("agent:main:telegram:dm:1"))?.updatedAt).toBe(NOW);
    expect(await names()).toEqual(["s1.jsonl", `s2.jsonl.deleted.${STAMP}`, "sessions.json", "sessions.json.bak"]);
  });
});

describe("pruneSessions: the cap", () => {
  it("keeps the newest maxEntries, counting but never removing protected ones", async () => {
    const entries: Record<string, SessionEntry> = { "agent:main:main": { sessionId: "main-s", updatedAt: daysAgo(20) } };
    for (let i = 1; i <= 6; i++) entries[`agent:main:telegram:dm:${i}`] = { sessionId: `s${i}`, updatedAt: NOW - i * 60_000 };
    await seed(entries, ["s5.jsonl", "s6.jsonl"]);
    const report = await pruneSessions(store, { maxEntries: 3, protect: ["agent:main:telegram:dm:6"] });
    expect(report.removed.map(({ key, reason }) => [key, reason])).toEqual([
      ["agent:main:telegram:dm:5", "over-cap"],
      ["agent:main:telegram:dm:4", "over-cap"],
      ["agent:main:telegram:dm:3", "over-cap"],
      ["agent:main:telegram:dm:2", "over-cap"],
    ]);
    expect(report.removed.map((r) => r.archived)).toEqual([[path.join(dir, `s5.jsonl.deleted.${STAMP}`)], [], [], []]);
    expect(report.kept).toBe(3);
    expect((await store.list()).map((e) => e.key)).toEqual(["agent:main:telegram:dm:1", "agent:main:telegram:dm:6", "agent:main:main"]);
    expect(await names()).toEqual(["s5.jsonl.deleted." + STAMP, "s6.jsonl", "sessions.json", "sessions.json.bak"]);
  });

  it("protects the main session of every agent in a shared store, and global, but not main threads", async () => {
    await seed({
      "agent:main:main": { sessionId: "a", updatedAt: 0 },
      "agent:ops:main": { sessionId: "b", updatedAt: 0 },
      "agent:ops:work": { sessionId: "c", updatedAt: 0 },
      "agent:main:main:thread:9": { sessionId: "d", updatedAt: 0 },
      global: { sessionId: "e", updatedAt: 0 },
    });
    const report = await pruneSessions(store, { maxEntries: 0 });
    expect(report.removed.map((r) => r.key).sort()).toEqual(["agent:main:main:thread:9", "agent:ops:work"]);
    expect(report.kept).toBe(3);
  });

  it("honours a custom mainKey", async () => {
    await seed({ "agent:main:main": { sessionId: "a", updatedAt: 0 }, "agent:main:work": { sessionId: "b", updatedAt: 0 } });
    const report = await pruneSessions(store, { mainKey: "Work" });
    expect(report.removed.map((r) => r.key)).toEqual(["agent:main:main"]);
  });
});

describe("pruneSessions: files", () => {
  it("cleans old temp files and expired archives", async () => {
    await seed({ "agent:main:main": { sessionId: "a", updatedAt: NOW } });
    const old = (NOW - 10 * 60_000) / 1000;
    for (const name of ["crash.tmp", "sessions.json.2882400018"]) {
      await fs.writeFile(path.join(dir, name), "x");
      await fs.utimes(path.join(dir, name), old, old);
    }
    await fs.writeFile(path.join(dir, "new.tmp"), "x");
    await fs.utimes(path.join(dir, "new.tmp"), NOW / 1000, NOW / 1000);
    await fs.writeFile(path.join(dir, `gone.jsonl.deleted.${fileTimestamp(daysAgo(8))}`), "x");
    await fs.writeFile(path.join(dir, `kept.jsonl.deleted.${fileTimestamp(daysAgo(6))}`), "x");
    const report = await pruneSessions(store, { archiveRetention: "7d" });
    expect(report.tempFilesRemoved.map((f) => path.basename(f)).sort()).toEqual(["crash.tmp", "sessions.json.2882400018"]);
    expect(report.archivesRemoved).toEqual([path.join(dir, `gone.jsonl.deleted.${fileTimestamp(daysAgo(8))}`)]);
    expect(await names()).toEqual([`kept.jsonl.deleted.${fileTimestamp(daysAgo(6))}`, "new.tmp", "sessions.json"]);
  });

  it("never moves a transcript outside the sessions directory", async () => {
    const outside = path.join(os.tmpdir(), `hub-outside-${process.pid}-${Date.now()}.jsonl`);
    await fs.writeFile(outside, "keep me");
    try {
      await seed({ "agent:main:telegram:dm:1": { sessionId: "s1", updatedAt: 0, sessionFile: outside } }, ["s1.jsonl"]);
      const report = await pruneSessions(store);
      expect(report.removed).toEqual([
        { key: "agent:main:telegram:dm:1", sessionId: "s1", reason: "stale", archived: [path.join(dir, `s1.jsonl.deleted.${STAMP}`)] },
      ]);
      expect(await fs.readFile(outside, "utf8")).toBe("keep me");
    } finally {
      await fs.rm(outside, { force: true });
    }
  });

  it("works on a store that does not exist yet and creates nothing", async () => {
    const missing = openSessionStore({ path: path.join(dir, "nope", "sessions.json"), now: () => NOW });
    expect(await pruneSessions(missing, { dryRun: true })).toEqual({ removed: [], kept: 0, tempFilesRemoved: [], archivesRemoved: [], dryRun: true });
    expect(await pruneSessions(missing)).toEqual({ removed: [], kept: 0, tempFilesRemoved: [], archivesRemoved: [], dryRun: false });
    expect(await names()).toEqual([]);
  });
});

describe("pruneSessions: options", () => {
  it.each([
    [{ pruneAfter: "soon" }, /^pruneAfter must be a positive duration/],
    [{ machinePruneAfter: "-1d" }, /^machinePruneAfter must be a positive duration/],
    [{ archiveRetention: 0 }, /^archiveRetention must be a positive duration/],
    [{ maxEntries: -1 }, /^maxEntries must be an integer >= 0, got -1$/],
    [{ maxEntries: 1.5 }, /^maxEntries must be an integer >= 0, got 1.5$/],
    [{ protect: "agent:main:main" }, /^protect must be an array or set of keys/],
    [{ now: Number.NaN }, /^now must be a finite epoch-ms number, got NaN$/],
  ])("rejects %j with E_INVALID_ARGUMENT", async (options, message) => {
    await expect(pruneSessions(store, options as never)).rejects.toMatchObject({ code: "E_INVALID_ARGUMENT", message: expect.stringMatching(message) });
    expect(await names()).toEqual([]);
  });
});

describe("pruneSessions: an activity clock in the future", () => {
  it("removes entries stamped beyond the 5-minute skew as stale, keeps those within it", async () => {
    await seed(
      {
        "agent:main:telegram:dm:1": { sessionId: "s1", updatedAt: Date.parse("2099-01-01T00:00:00Z") },
        "agent:main:telegram:dm:2": { sessionId: "s2", updatedAt: NOW + 5 * 60_000 + 1 },
        "agent:main:telegram:dm:3": { sessionId: "s3", updatedAt: NOW + 5 * 60_000 },
        "agent:main:telegram:dm:4": { sessionId: "s4", updatedAt: 9e15 },
      },
      ["s1.jsonl", "s2.jsonl", "s3.jsonl", "s4.jsonl"],
    );
    const report = await pruneSessions(store);
    expect(report.removed.map((r) => [r.key, r.reason]).sort()).toEqual([
      ["agent:main:telegram:dm:1", "stale"],
      ["agent:main:telegram:dm:2", "stale"],
      ["agent:main:telegram:dm:4", "stale"],
    ]);
    expect(report.kept).toBe(1);
    expect((await store.list()).map((e) => e.key)).toEqual(["agent:main:telegram:dm:3"]);
  });
});
