import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SESSION_ID_PATTERN } from "../../../../src/backend/shared/entry.js";
import { openSessionStore, type SessionStoreOptions } from "../../../../src/backend/file/store/session-store.js";
import { readStoreFile, useTempDir, writeStoreFile } from "../helpers.js";

const tmp = useTempDir();

/** A store on a temp file with an injected clock the test moves by hand. */
function setup(options: SessionStoreOptions = {}) {
  const clock = { now: 1_000_000 };
  const file = path.join(tmp(), "sessions", "sessions.json");
  const store = openSessionStore({ path: file, now: () => clock.now, ...options });
  return { store, file, clock };
}

describe("update", () => {
  it("creates an absent entry with a new sessionId and updatedAt = now, and resolves once it is on disk", async () => {
    const { store, file } = setup();
    const created = await store.update("agent:main:main", { label: "home" });
    expect(created.sessionId).toMatch(SESSION_ID_PATTERN);
    expect(created.updatedAt).toBe(1_000_000);
    expect(created.label).toBe("home");
    expect((await readStoreFile(file))["agent:main:main"]).toEqual(created);
    const other = await store.update("agent:main:other", {});
    expect(other.sessionId).not.toBe(created.sessionId);
  });

  it("never moves updatedAt unless the patch sets it (the activity clock)", async () => {
    const { store, file, clock } = setup();
    await store.update("k", { label: "a" });
    clock.now += 60_000;
    const relabelled = await store.update("k", { label: "b", lastChannel: "telegram", origin: { from: "x" } });
    expect(relabelled.updatedAt).toBe(1_000_000);
    clock.now += 60_000;
    const viaFn = await store.update("k", (current) => ({ inputTokens: (current?.inputTokens ?? 0) + 5 }));
    expect(viaFn?.updatedAt).toBe(1_000_000);
    const explicit = await store.update("k", { updatedAt: 5_000_000 });
    expect(explicit.updatedAt).toBe(5_000_000);
    expect((await readStoreFile(file)).k?.updatedAt).toBe(5_000_000);
  });

  it("removes a field set to undefined and preserves fields it does not know", async () => {
    const { store, file } = setup();
    await writeStoreFile(file, {
      k: { sessionId: "s1", updatedAt: 1, label: "x", futureField: { nested: [1, "two", null] }, origin: { from: "a", extra: true } },
    });
    const updated = await store.update("k", { label: undefined, model: "m1" });
    expect(updated).toEqual({ sessionId: "s1", updatedAt: 1, futureField: { nested: [1, "two", null] }, origin: { from: "a", extra: true }, model: "m1" });
    expect("label" in updated).toBe(false);
    expect((await readStoreFile(file)).k).toEqual(updated);
  });

  it("passes the function a copy of the current entry; null means no change and no write", async () => {
    const { store } = setup();
    await store.update("k", { label: "original" });
    const writes = store.stats.writes;
    const result = await store.update("k", (current) => {
      if (current) current.label = "mutated in place";
      return null;
    });
    expect(result?.label).toBe("original");
    expect((await store.get("k"))?.label).toBe("original");
    expect(store.stats.writes).toBe(writes);
  });

  it("a function returning nothing for an absent key creates nothing", async () => {
    const { store, file } = setup();
    let seen: unknown = "not called";
    const result = await store.update("absent", (current) => {
      seen = current;
      return null;
    });
    expect(seen).toBeUndefined();
    expect(result).toBeUndefined();
    expect(await store.get("absent")).toBeUndefined();
    expect(existsSync(file)).toBe(false);
  });
});

describe("touch", () => {
  it("moves updatedAt to now, or to the given time, never backwards, and changes nothing else", async () => {
    const { store, clock } = setup();
    const created = await store.update("k", { label: "x" });
    clock.now += 1_000;
    expect(await store.touch("k")).toEqual({ ...created, updatedAt: 1_001_000 });
    expect((await store.touch("k", 2_000_000)).updatedAt).toBe(2_000_000);
    expect((await store.touch("k", 1_500_000)).updatedAt).toBe(2_000_000);
  });

  it("creates an absent entry at that time", async () => {
    const { store } = setup();
    const touched = await store.touch("new", 42);
    expect(touched.updatedAt).toBe(42);
    expect(touched.sessionId).toMatch(SESSION_ID_PATTERN);
  });
});

describe("get, list, delete", () => {
  it("reads nothing and creates nothing when the store does not exist", async () => {
    const { store } = setup();
    expect(await store.get("k")).toBeUndefined();
    expect(await store.list()).toEqual([]);
    expect(readdirSync(tmp())).toEqual([]);
  });

  it("returns copies: changing a returned entry changes neither the cache nor the file", async () => {
    const { store, file } = setup();
    const updated = await store.update("k", { origin: { label: "a" } });
    updated.label = "changed";
    const got = await store.get("k");
    if (got?.origin) got.origin.label = "changed";
    const [listed] = await store.list();
    if (listed) listed.entry.sessionId = "changed";
    const fresh = await store.get("k");
    expect(fresh?.label).toBeUndefined();
    expect(fresh?.origin?.label).toBe("a");
    expect(fresh?.sessionId).toBe(updated.sessionId);
    expect((await readStoreFile(file)).k).toEqual(fresh);
  });

  it("lists every entry, newest updatedAt first", async () => {
    const { store } = setup();
    await store.update("old", { updatedAt: 10 });
    await store.update("newest", { updatedAt: 30 });
    await store.update("middle", { updatedAt: 20 });
    expect((await store.list()).map((item) => [item.key, item.entry.updatedAt])).toEqual([
      ["newest", 30],
      ["middle", 20],
      ["old", 10],
    ]);
  });

  it("delete removes the key from the file and says whether it existed", async () => {
    const { store, file } = setup();
    await store.update("a", {});
    await store.update("b", {});
    expect(await store.delete("a")).toBe(true);
    expect(await store.delete("a")).toBe(false);
    expect(Object.keys(await readStoreFile(file))).toEqual(["b"]);
    expect(await store.get("a")).toBeUndefined();
  });
});

describe("mutate", () => {
  it("changes several keys in one write and returns what fn returns", async () => {
    const { store, file } = setup();
    await store.update("a", { label: "a" });
    const writes = store.stats.writes;
    const result = await store.mutate((draft) => {
      const a = draft.get("a");
      if (!a) throw new Error("a is missing");
      draft.set("b", { ...a, sessionId: "b-session", label: "b" });
      draft.delete("a");
      return draft.keys();
    });
    expect(result).toEqual(["b"]);
    expect(store.stats.writes).toBe(writes + 1);
    expect(Object.keys(await readStoreFile(file))).toEqual(["b"]);
  });

  it("hands out frozen entries from entries(), so the draft cannot be changed behind its back", async () => {
    const { store } = setup();
    await store.update("a", { origin: { label: "x" } });
    await store.mutate((draft) => {
      const [[, entry] = ["", undefined]] = draft.entries();
      expect(Object.isFrozen(entry)).toBe(true);
      expect(Object.isFrozen(entry?.origin)).toBe(true);
    });
    expect((await store.get("a"))?.origin).toEqual({ label: "x" });
  });
});

describe("close", () => {
  it("waits for queued writes before it resolves", async () => {
    const { store, file } = setup();
    const pending = store.update("k", { label: "queued" });
    await store.close();
    expect((await readStoreFile(file)).k?.label).toBe("queued");
    await expect(pending).resolves.toMatchObject({ label: "queued" });
  });
});
