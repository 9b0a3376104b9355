/**
 * Two conversations are never merged. openclaw's cases for case-distinct Matrix rooms, run
 * against migrateSessionKey (their stores, their expected outcomes):
 * openclaw/openclaw src/sessions/session-key-case-preservation.test.ts
 * ("resolveSessionStoreEntry — case-distinct Matrix session safety"). One deliberate
 * difference: openclaw merges a lower-cased Signal group key without proof; we ask the same
 * proof on every case-sensitive channel (notes/compat.md).
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { caseFoldedAliases, sessionKeyAliases } from "../../../../src/keys/canonical.js";
import { migrateSessionKey } from "../../../../src/backend/file/store/key-migration.js";
import { openSessionStore, type SessionStore } from "../../../../src/backend/file/store/session-store.js";

const ROOM = "!MixedRoomAbCdEf:example.org";
const MIXED = "agent:main:matrix:channel:!MixedRoomAbCdEf%3Aexample.org";
const LOWER = "agent:main:matrix:channel:!mixedroomabcdef:example.org";
const MIXED_THREAD = `${MIXED}:thread:$ThreadRootAbC`;
const LOWER_THREAD = `${LOWER}:thread:$threadrootabc`;

let dir: string;
let file: string;
let store: SessionStore;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-key-compat-"));
  file = path.join(dir, "sessions.json");
});
afterEach(async () => {
  await store?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

async function openWith(data: Record<string, unknown>): Promise<SessionStore> {
  await fs.writeFile(file, JSON.stringify(data, null, 2));
  store = openSessionStore({ path: file, durable: false, onWarning: () => {} });
  return store;
}

const onDisk = async () => JSON.parse(await fs.readFile(file, "utf8")) as Record<string, { sessionId: string }>;
const room = (sessionId: string, to: string, updatedAt: number, threadId?: string) => ({
  sessionId,
  updatedAt,
  deliveryContext: { channel: "matrix", to, ...(threadId === undefined ? {} : { threadId }) },
});

describe("case-distinct Matrix rooms (openclaw's resolveSessionStoreEntry cases)", () => {
  it("does NOT collapse a case-distinct sibling room (different real room, not an alias)", async () => {
    const s = await openWith({ [MIXED]: room("mixed", `room:${ROOM}`, 100), [LOWER]: room("lower", "room:!mixedroomabcdef:example.org", 999) });
    expect(await migrateSessionKey(s, MIXED)).toEqual({ key: MIXED, migratedFrom: [] });
    expect(Object.keys(await onDisk()).sort()).toEqual([MIXED, LOWER].sort());
  });

  it("does NOT take a case-distinct sibling when the exact key is absent", async () => {
    const s = await openWith({ [LOWER]: room("lower", "room:!mixedroomabcdef:example.org", 999) });
    expect((await migrateSessionKey(s, MIXED)).migratedFrom).toEqual([]);
    expect(await onDisk()).toEqual({ [LOWER]: room("lower", "room:!mixedroomabcdef:example.org", 999) });
  });

  it("DOES collapse a lowercased legacy artifact (key lowercased but delivers to the real mixed-case room)", async () => {
    const s = await openWith({ [LOWER]: room("artifact", `room:${ROOM}`, 50) });
    expect((await migrateSessionKey(s, MIXED)).migratedFrom).toEqual([LOWER]);
    expect(await onDisk()).toEqual({ [MIXED]: room("artifact", `room:${ROOM}`, 50) });
  });

  it("preserves a folded key with no delivery target (conservative)", async () => {
    const s = await openWith({ [LOWER]: { sessionId: "unknown", updatedAt: 50 } });
    expect((await migrateSessionKey(s, MIXED)).migratedFrom).toEqual([]);
    expect(Object.keys(await onDisk())).toEqual([LOWER]);
  });

  it("recognizes lowercased artifacts by their origin room", async () => {
    const s = await openWith({ [LOWER]: { sessionId: "artifact", updatedAt: 50, origin: { provider: "matrix", to: ROOM } } });
    expect((await migrateSessionKey(s, MIXED)).migratedFrom).toEqual([LOWER]);
  });

  it("recognizes lowercased Matrix alias artifacts with room-prefixed delivery targets", async () => {
    const mixedAlias = "agent:main:matrix:channel:#MixedRoomAlias%3Aexample.org";
    const lowerAlias = "agent:main:matrix:channel:#mixedroomalias:example.org";
    const s = await openWith({ [lowerAlias]: room("alias", "room:#MixedRoomAlias:example.org", 50) });
    expect((await migrateSessionKey(s, mixedAlias)).migratedFrom).toEqual([lowerAlias]);
  });

  it("does not collapse Matrix thread artifacts when the stored thread id differs by case", async () => {
    const s = await openWith({ [LOWER_THREAD]: room("thread", `room:${ROOM}`, 50, "$threadrootabc") });
    expect((await migrateSessionKey(s, MIXED_THREAD)).migratedFrom).toEqual([]);
  });

  it("collapses Matrix thread artifacts when room and thread metadata both match", async () => {
    const s = await openWith({ [LOWER_THREAD]: room("thread", `room:${ROOM}`, 50, "$ThreadRootAbC") });
    expect((await migrateSessionKey(s, MIXED_THREAD)).migratedFrom).toEqual([LOWER_THREAD]);
    expect(Object.keys(await onDisk())).toEqual([MIXED_THREAD]);
  });

  it("keeps freshest alias ordering for ordinary lowercase-canonical channels", async () => {
    const s = await openWith({
      "agent:main:telegram:group:mixedcase": { sessionId: "stale-canonical", updatedAt: 100 },
      "agent:main:telegram:group:MixedCase": { sessionId: "fresh-alias", updatedAt: 200 },
    });
    // Our canonical key is lower-case; the upper-case spelling is the doctor's to merge.
    expect((await migrateSessionKey(s, "agent:main:telegram:group:mixedcase")).migratedFrom).toEqual([]);
  });

  it("a Signal group stored lower-cased without delivery metadata stays (openclaw would merge it)", async () => {
    const mixedKey = "agent:main:signal:group:VWATodkf2hc8zdOS76q9Tb0+5Bi522E03qLdaQ/9ypg=";
    const s = await openWith({ [mixedKey.toLowerCase()]: { sessionId: "signal-session", updatedAt: 1 } });
    expect((await migrateSessionKey(s, mixedKey)).migratedFrom).toEqual([]);
  });

  it("with caseSensitiveChannels: [] a Matrix key is lower-case and its spellings merge freely", async () => {
    const s = await openWith({ "agent:main:matrix:channel:!mixedroomabcdef:example.org": { sessionId: "x", updatedAt: 1 } });
    const result = await migrateSessionKey(s, "agent:main:matrix:channel:!mixedroomabcdef%3Aexample.org", { caseSensitiveChannels: [] });
    expect(result.migratedFrom).toEqual(["agent:main:matrix:channel:!mixedroomabcdef:example.org"]);
  });
});

describe("unencoded spellings that read as another id are no aliases", () => {
  it("group a%3Ab does not take the session of group a:b (its canonical key reads the same unencoded)", async () => {
    const s = await openWith({ "agent:main:telegram:group:a%3Ab": { sessionId: "group-a-colon-b", updatedAt: 1 } });
    expect((await migrateSessionKey(s, "agent:main:telegram:group:a%253Ab")).migratedFrom).toEqual([]);
    expect(Object.keys(await onDisk())).toEqual(["agent:main:telegram:group:a%3Ab"]);
  });

  it("group x:thread:y does not take the session of group x's thread y", async () => {
    const s = await openWith({ "agent:main:slack:group:x:thread:y": { sessionId: "thread-y-of-x", updatedAt: 1 } });
    expect((await migrateSessionKey(s, "agent:main:slack:group:x%3Athread%3Ay")).migratedFrom).toEqual([]);
  });
});

describe("sessionKeyAliases never lists a lower-cased id on a case-sensitive channel", () => {
  it("a mixed-case Matrix room: exact spellings only; the folded ones need proof", () => {
    expect(sessionKeyAliases(MIXED)).toEqual(["agent:main:matrix:channel:!MixedRoomAbCdEf:example.org"]);
    expect(caseFoldedAliases(MIXED)).toContain(LOWER);
    for (const alias of sessionKeyAliases(MIXED)) expect(alias).toContain("MixedRoomAbCdEf");
  });

  it("folded aliases are empty off case-sensitive channels", () => {
    expect(caseFoldedAliases("agent:main:slack:channel:c1")).toEqual([]);
    expect(caseFoldedAliases(MIXED, { caseSensitiveChannels: [] })).toEqual([]);
  });
});

describe("a custom mainKey: agent:<a>:main is an alias of agent:<a>:<mainKey>", () => {
  it("prefers the newest entry when collapsing main aliases (openclaw doctor-state-migrations.test.ts)", async () => {
    const s = await openWith({ "agent:main:main": { sessionId: "legacy", updatedAt: 50 }, "agent:main:work": { sessionId: "canonical", updatedAt: 10 } });
    expect((await migrateSessionKey(s, "agent:main:work")).migratedFrom).toEqual(["agent:main:main"]);
    expect(await onDisk()).toEqual({ "agent:main:work": { sessionId: "legacy", updatedAt: 50 } });
  });
});
