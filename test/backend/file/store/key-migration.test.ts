import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HubError } from "../../../../src/errors.js";
import { migrateSessionKey } from "../../../../src/backend/file/store/key-migration.js";
import { openSessionStore, type SessionStore } from "../../../../src/backend/file/store/session-store.js";

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../fixtures/clawdbot-sessions.json");

let dir: string;
let file: string;
let store: SessionStore;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-key-migration-"));
  file = path.join(dir, "sessions.json");
});

afterEach(async () => {
  await store?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

async function openWith(data: Record<string, unknown> | "fixture"): Promise<SessionStore> {
  if (data === "fixture") await fs.copyFile(FIXTURE, file);
  else await fs.writeFile(file, JSON.stringify(data, null, 2));
  store = openSessionStore({ path: file, durable: false, onWarning: () => {} });
  return store;
}

async function onDisk(): Promise<Record<string, { sessionId: string; updatedAt: number }>> {
  return JSON.parse(await fs.readFile(file, "utf8"));
}

describe("migrateSessionKey on the clawdbot fixture", () => {
  it("moves agent:main:telegram:direct:5550001 to the dm key", async () => {
    const s = await openWith("fixture");
    const before = await onDisk();
    const result = await migrateSessionKey(s, "agent:main:telegram:dm:5550001");
    expect(result).toEqual({ key: "agent:main:telegram:dm:5550001", migratedFrom: ["agent:main:telegram:direct:5550001"] });
    const after = await onDisk();
    expect(after["agent:main:telegram:direct:5550001"]).toBeUndefined();
    expect(after["agent:main:telegram:dm:5550001"]).toEqual(before["agent:main:telegram:direct:5550001"]);
    expect(after["cron:nightly-digest"]).toEqual(before["cron:nightly-digest"]);
    expect(Object.keys(after)).toHaveLength(Object.keys(before).length);
  });

  it("moves the legacy group:legacy-team key to its channel's group key", async () => {
    const s = await openWith("fixture");
    const result = await migrateSessionKey(s, "agent:main:slack:group:legacy-team");
    expect(result.migratedFrom).toEqual(["group:legacy-team"]);
    const after = await onDisk();
    expect(after["group:legacy-team"]).toBeUndefined();
    expect(after["agent:main:slack:group:legacy-team"]).toEqual({ sessionId: "legacy-session-1", updatedAt: 1794000000000 });
  });

  it("writes nothing when there is nothing to migrate", async () => {
    const s = await openWith("fixture");
    const stat = await fs.stat(file);
    for (const key of ["agent:main:main", "agent:main:whatsapp:group:123@g.us", "agent:main:telegram:dm:42", "cron:nightly-digest"]) {
      expect(await migrateSessionKey(s, key)).toEqual({ key, migratedFrom: [] });
    }
    expect(s.stats.writes).toBe(0);
    expect((await fs.stat(file)).mtimeMs).toBe(stat.mtimeMs);
  });
});

describe("migrateSessionKey: newest updatedAt wins", () => {
  const canonical = "agent:main:matrix:dm:@Alice%3Amatrix.org";

  it("an alias newer than the canonical entry replaces it; every alias goes in one write", async () => {
    const s = await openWith({
      [canonical]: { sessionId: "canonical", updatedAt: 2000 },
      // Lower-cased by clawdbot; its delivery target proves it is @Alice (see key-migration.compat).
      "agent:main:matrix:direct:@alice:matrix.org": { sessionId: "lower-unencoded", updatedAt: 3000, label: "newest", lastTo: "@Alice:matrix.org" },
      "agent:main:matrix:dm:@Alice:matrix.org": { sessionId: "unencoded", updatedAt: 1000 },
      "agent:main:telegram:dm:1": { sessionId: "unrelated", updatedAt: 5 },
    });
    const result = await migrateSessionKey(s, canonical);
    expect(result.migratedFrom.sort()).toEqual(["agent:main:matrix:direct:@alice:matrix.org", "agent:main:matrix:dm:@Alice:matrix.org"]);
    expect(s.stats.writes).toBe(1);
    expect(await onDisk()).toEqual({
      [canonical]: { sessionId: "lower-unencoded", updatedAt: 3000, label: "newest", lastTo: "@Alice:matrix.org" },
      "agent:main:telegram:dm:1": { sessionId: "unrelated", updatedAt: 5 },
    });
  });

  it("a canonical entry newer than its aliases stays; the aliases are removed", async () => {
    const s = await openWith({
      "agent:main:matrix:dm:@alice%3amatrix.org": { sessionId: "old", updatedAt: 1000, lastTo: "@Alice:matrix.org" },
      [canonical]: { sessionId: "canonical", updatedAt: 2000 },
    });
    expect((await migrateSessionKey(s, canonical)).migratedFrom).toEqual(["agent:main:matrix:dm:@alice%3amatrix.org"]);
    expect(await onDisk()).toEqual({ [canonical]: { sessionId: "canonical", updatedAt: 2000 } });
  });

  it("a tie keeps the canonical entry", async () => {
    const s = await openWith({
      "agent:main:matrix:direct:@Alice%3Amatrix.org": { sessionId: "alias", updatedAt: 1000 },
      [canonical]: { sessionId: "canonical", updatedAt: 1000 },
    });
    await migrateSessionKey(s, canonical);
    expect(await onDisk()).toEqual({ [canonical]: { sessionId: "canonical", updatedAt: 1000 } });
  });

  it("concurrent migrations of one key move it once", async () => {
    const s = await openWith({ "agent:main:telegram:direct:7": { sessionId: "s7", updatedAt: 1 } });
    const results = await Promise.all([migrateSessionKey(s, "agent:main:telegram:dm:7"), migrateSessionKey(s, "agent:main:telegram:dm:7")]);
    expect(results.map((r) => r.migratedFrom)).toContainEqual(["agent:main:telegram:direct:7"]);
    expect(await onDisk()).toEqual({ "agent:main:telegram:dm:7": { sessionId: "s7", updatedAt: 1 } });
  });

  it("rejects a blank key with E_INVALID_KEY", async () => {
    const s = await openWith({});
    const error = await migrateSessionKey(s, " ").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).code).toBe("E_INVALID_KEY");
    expect((error as HubError).message).toBe('canonicalKey must be a non-empty string, got " "');
  });
});

describe("migrateSessionKey asked again (every received message asks)", () => {
  const KEY = "agent:main:telegram:dm:5550001";
  const LEGACY = "agent:main:telegram:direct:5550001";

  it("reads nothing while sessions.json is unchanged, and finds a legacy key written since (by clawdbot, by hand)", async () => {
    const s = await openWith({ [KEY]: { sessionId: "now", updatedAt: 10 } });
    expect(await migrateSessionKey(s, KEY)).toEqual({ key: KEY, migratedFrom: [] });
    const reads = { getMany: 0 };
    const getMany = s.getMany.bind(s);
    s.getMany = (keys) => {
      reads.getMany++;
      return getMany(keys);
    };
    expect(await migrateSessionKey(s, KEY)).toEqual({ key: KEY, migratedFrom: [] });
    expect(reads.getMany).toBe(0);
    // Another writer adds the legacy spelling (a new file renamed over the store, as clawdbot writes).
    const data = await onDisk();
    await fs.writeFile(`${file}.tmp`, JSON.stringify({ ...data, [LEGACY]: { sessionId: "old", updatedAt: 20 } }, null, 2));
    await fs.rename(`${file}.tmp`, file);
    expect(await migrateSessionKey(s, KEY)).toEqual({ key: KEY, migratedFrom: [LEGACY] });
    expect(reads.getMany).toBe(1);
    expect((await onDisk())[KEY]?.sessionId).toBe("old");
    // Also an edit in place that changes the file's size.
    await fs.writeFile(file, JSON.stringify({ ...(await onDisk()), [LEGACY]: { sessionId: "older", updatedAt: 30 } }, null, 2));
    expect(await migrateSessionKey(s, KEY)).toEqual({ key: KEY, migratedFrom: [LEGACY] });
  });

  it("remembers per set of case-sensitive channels: another set asks the store again", async () => {
    const s = await openWith({});
    await migrateSessionKey(s, "agent:main:matrix:dm:@Bo:example.org");
    const reads = { getMany: 0 };
    const getMany = s.getMany.bind(s);
    s.getMany = (keys) => {
      reads.getMany++;
      return getMany(keys);
    };
    await migrateSessionKey(s, "agent:main:matrix:dm:@Bo:example.org");
    expect(reads.getMany).toBe(0);
    await migrateSessionKey(s, "agent:main:matrix:dm:@Bo:example.org", { caseSensitiveChannels: [] });
    expect(reads.getMany).toBe(1);
  });
});
