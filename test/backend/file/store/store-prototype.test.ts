import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import type { SessionPatch } from "../../../../src/backend/shared/entry.js";
import { useTempDir, writeStoreFile } from "../helpers.js";

const tmp = useTempDir("hub-proto-");
const KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"];

afterEach(() => {
  // Nothing may have leaked onto Object.prototype.
  expect(Object.prototype).not.toHaveProperty("polluted");
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

/** A patch with own properties named like the prototype's, as JSON.parse would build it. */
function patchWith(fields: Record<string, unknown>): SessionPatch {
  const patch: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) Object.defineProperty(patch, field, { value, enumerable: true, writable: true, configurable: true });
  return patch as SessionPatch;
}

describe("keys named like Object.prototype members are ordinary keys", () => {
  it("absent ones read as absent", async () => {
    const store = openSessionStore({ path: path.join(tmp(), "sessions.json") });
    await store.update("other", {});
    for (const key of KEYS) expect(await store.get(key), key).toBeUndefined();
    expect(await store.delete("__proto__")).toBe(false);
  });

  it("are stored, written to the file and read back by a fresh store", async () => {
    const file = path.join(tmp(), "sessions.json");
    const store = openSessionStore({ path: file });
    for (const key of KEYS) await store.update(key, { label: `label of ${key}`, polluted: true });
    const parsed = JSON.parse(await fs.readFile(file, "utf8")) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(KEYS);
    const fresh = openSessionStore({ path: file });
    expect((await fresh.list()).map((item) => item.key).sort()).toEqual([...KEYS].sort());
    for (const key of KEYS) {
      const got = await fresh.get(key);
      expect(got?.label).toBe(`label of ${key}`);
      expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    }
    expect(await fresh.delete("__proto__")).toBe(true);
    expect(Object.keys(JSON.parse(await fs.readFile(file, "utf8")) as object)).not.toContain("__proto__");
  });
});

describe("fields named like Object.prototype members are ordinary fields", () => {
  it("in a patch: stored as own fields, written, read back, never a prototype", async () => {
    const file = path.join(tmp(), "sessions.json");
    const store = openSessionStore({ path: file });
    const updated = await store.update("k", patchWith({ ["__proto__"]: { polluted: true }, constructor: "c", toString: 5 }));
    expect(Object.getPrototypeOf(updated)).toBe(Object.prototype);
    expect(Object.hasOwn(updated, "__proto__")).toBe(true);
    expect((updated as Record<string, unknown>).polluted).toBeUndefined();
    const text = await fs.readFile(file, "utf8");
    expect(text).toContain('"__proto__": {');

    const fresh = await openSessionStore({ path: file }).get("k");
    expect(Object.getOwnPropertyDescriptor(fresh, "__proto__")?.value).toEqual({ polluted: true });
    expect(Object.getOwnPropertyDescriptor(fresh, "constructor")?.value).toBe("c");
    expect(Object.getPrototypeOf(fresh)).toBe(Object.prototype);

    // Removing such a field works like any other.
    const removed = await store.update("k", patchWith({ ["__proto__"]: undefined }));
    expect(Object.hasOwn(removed, "__proto__")).toBe(false);
  });

  it.each([
    ["JSON", `{"__proto__": {"sessionId": "p1", "updatedAt": 1, "__proto__": {"polluted": true}}, "k": {"sessionId": "k1", "updatedAt": 2, "constructor": {"prototype": {"polluted": true}}}}`],
    ["JSON5", `{ // hand-edited\n "__proto__": {sessionId: 'p1', updatedAt: 1, "__proto__": {polluted: true},}, k: {sessionId: 'k1', updatedAt: 2, constructor: {prototype: {polluted: true}}}, }`],
  ])("in a %s file written by hand: read as data, kept by the next write", async (_kind, text) => {
    const file = path.join(tmp(), "sessions.json");
    await writeStoreFile(file, text);
    const store = openSessionStore({ path: file });
    const proto = await store.get("__proto__");
    expect(proto?.sessionId).toBe("p1");
    expect(Object.getOwnPropertyDescriptor(proto, "__proto__")?.value).toEqual({ polluted: true });
    expect((await store.get("k"))?.constructor).toEqual({ prototype: { polluted: true } });
    await store.update("other", {});
    const written = JSON.parse(await fs.readFile(file, "utf8")) as Record<string, unknown>;
    expect(Object.keys(written)).toEqual(["__proto__", "k", "other"]);
  });
});
