import { readdirSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HubError } from "../../../../src/errors.js";
import { fileTimestamp } from "../../../../src/backend/file/store/paths.js";
import { openSessionStore, type StoreWarning } from "../../../../src/backend/file/store/session-store.js";
import { FIXTURES_DIR, entry, readStoreFile, useTempDir, writeStoreFile } from "../helpers.js";

const tmp = useTempDir("hub-corrupt-");
const NOW = Date.UTC(2026, 10, 21, 10, 37, 0, 123);
const CORRUPT = ["empty.json", "whitespace.json", "truncated.json", "zeros.json", "garbage.json", "array.json", "null.json", "number.json", "string.json"];
const BACKUP = { "agent:main:main": entry("from-backup", 100, { label: "saved" }), "cron:job": entry("cron-1", 50) };

async function setup(fixture: string, options: { backup?: string | object; readOnly?: boolean } = {}) {
  const file = path.join(tmp(), "sessions.json");
  const bytes = await fs.readFile(path.join(FIXTURES_DIR, "corrupt", fixture));
  await fs.writeFile(file, bytes);
  if (options.backup !== undefined) await writeStoreFile(`${file}.bak`, options.backup);
  const warnings: StoreWarning[] = [];
  const store = openSessionStore({ path: file, now: () => NOW, readOnly: options.readOnly ?? false, onWarning: (w) => warnings.push(w) });
  return { file, bytes, store, warnings, quarantined: `${file}.corrupt.${fileTimestamp(NOW)}` };
}

/** Every file under the temp dir with its bytes. */
async function snapshot(): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const name of readdirSync(tmp())) result[name] = (await fs.readFile(path.join(tmp(), name))).toString("base64");
  return result;
}

describe.each(CORRUPT)("a corrupt store: %s", (fixture) => {
  it("is copied aside with its bytes unchanged, never overwritten; without a backup the store is replaced by {} and continues", async () => {
    const { file, bytes, store, warnings, quarantined } = await setup(fixture);
    expect(await store.list()).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: "E_CORRUPT_STORE", file: quarantined });
    expect(warnings[0]?.message).toContain("no usable backup, starting empty");
    expect(await fs.readFile(quarantined)).toEqual(bytes);
    expect(await fs.readFile(file, "utf8")).toBe("{}");

    await store.update("agent:main:main", { label: "new" });
    expect(Object.keys(await readStoreFile(file))).toEqual(["agent:main:main"]);
    expect(await fs.readFile(quarantined)).toEqual(bytes);
    expect(warnings).toHaveLength(1);
  });

  it("is recovered from sessions.json.bak when that parses", async () => {
    const { file, bytes, store, warnings, quarantined } = await setup(fixture, { backup: BACKUP });
    expect((await store.list()).map((item) => item.key)).toEqual(["agent:main:main", "cron:job"]);
    expect(await readStoreFile(file)).toEqual(BACKUP);
    expect(warnings).toEqual([{ code: "E_CORRUPT_STORE", file: quarantined, message: expect.stringContaining(`restored 2 sessions from ${file}.bak`) as string }]);
    expect(await fs.readFile(quarantined)).toEqual(bytes);
  });

  it("readOnly: rejects with E_CORRUPT_STORE and changes nothing on disk", async () => {
    const { store, warnings } = await setup(fixture, { backup: BACKUP, readOnly: true });
    const before = await snapshot();
    for (const read of [() => store.list(), () => store.get("agent:main:main")]) {
      const error = await read().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(HubError);
      expect((error as HubError).code).toBe("E_CORRUPT_STORE");
    }
    expect(await snapshot()).toEqual(before);
    expect(warnings).toEqual([]);
  });
});

describe("recovery", () => {
  it("an update on a corrupt store recovers first, then applies the change on top of the backup", async () => {
    const { file, store, warnings } = await setup("truncated.json", { backup: BACKUP });
    await store.update("new", { label: "added" });
    const data = await readStoreFile(file);
    expect(Object.keys(data).sort()).toEqual(["agent:main:main", "cron:job", "new"]);
    expect(warnings.map((w) => w.code)).toEqual(["E_CORRUPT_STORE"]);
  });

  it("a backup that is corrupt too is not used (and not touched)", async () => {
    const { file, store, warnings } = await setup("garbage.json", { backup: "{ half" });
    expect(await store.list()).toEqual([]);
    expect(warnings[0]?.message).toContain("no usable backup");
    expect(await fs.readFile(`${file}.bak`, "utf8")).toBe("{ half");
  });

  it("a store corrupted behind an open store's back is recovered at its next write, from the version before the last write", async () => {
    const file = path.join(tmp(), "sessions.json");
    const warnings: StoreWarning[] = [];
    const store = openSessionStore({ path: file, now: () => NOW, onWarning: (w) => warnings.push(w) });
    await store.update("one", { label: "1" });
    await store.update("two", { label: "2" });
    await fs.truncate(file, 10); // in place, as a crashing non-atomic tool would
    await store.update("three", { label: "3" });
    expect(Object.keys(await readStoreFile(file)).sort()).toEqual(["one", "three"]);
    expect(warnings.map((w) => w.code)).toEqual(["E_CORRUPT_STORE"]);
  });

  it("two corruptions at the same timestamp keep both files", async () => {
    const { file, store, quarantined } = await setup("null.json");
    await store.list();
    await fs.writeFile(file, "[]");
    const again = openSessionStore({ path: file, now: () => NOW, onWarning: () => undefined });
    await again.list();
    expect(await fs.readFile(quarantined, "utf8")).toBe("null\n");
    expect(await fs.readFile(`${quarantined}-1`, "utf8")).toBe("[]");
  });
});

describe("invalid entries are not a corrupt store", () => {
  it("are hidden from readers with an E_INVALID_ENTRY warning, and written back untouched", async () => {
    const file = path.join(tmp(), "sessions.json");
    const bad = { "no-id": { updatedAt: 5 }, "bad-time": { sessionId: "x", updatedAt: "yesterday" }, scalar: 7 };
    await writeStoreFile(file, { good: entry("good-1", 10), ...bad });
    const warnings: StoreWarning[] = [];
    const store = openSessionStore({ path: file, onWarning: (w) => warnings.push(w) });
    expect((await store.list()).map((item) => item.key)).toEqual(["good"]);
    expect(await store.get("no-id")).toBeUndefined();
    expect(warnings.map((w) => w.code)).toEqual(["E_INVALID_ENTRY"]);
    expect(warnings[0]?.message).toContain("3 invalid entries");

    await store.update("other", {});
    const data = await readStoreFile(file);
    expect(data).toMatchObject(bad);
    expect(readdirSync(tmp()).filter((name) => name.includes(".corrupt."))).toEqual([]);
  });

  it("an invalid entry can be replaced by a valid one, or deleted", async () => {
    const file = path.join(tmp(), "sessions.json");
    await writeStoreFile(file, { broken: { updatedAt: 1 }, gone: 3 });
    const store = openSessionStore({ path: file, onWarning: () => undefined });
    const fixed = await store.update("broken", { label: "fresh" });
    expect(fixed.sessionId).not.toBeUndefined();
    expect(await store.delete("gone")).toBe(true);
    expect(Object.keys(await readStoreFile(file))).toEqual(["broken"]);
  });
});

describe("a missing store is never silently replaced by an empty one", () => {
  it("with a backup beside it: restored from the backup, with a warning", async () => {
    const file = path.join(tmp(), "sessions.json");
    await writeStoreFile(`${file}.bak`, BACKUP);
    const warnings: StoreWarning[] = [];
    const store = openSessionStore({ path: file, now: () => NOW, onWarning: (w) => warnings.push(w) });
    expect((await store.list()).map((item) => item.key)).toEqual(["agent:main:main", "cron:job"]);
    expect(await readStoreFile(file)).toEqual(BACKUP);
    expect(warnings).toEqual([{ code: "E_CORRUPT_STORE", file, message: expect.stringContaining(`is missing but ${file}.bak exists`) as string }]);
    expect(warnings[0]?.message).toContain("restored 2 sessions");
  });

  it("with a backup beside it, readOnly: E_CORRUPT_STORE, nothing written", async () => {
    const file = path.join(tmp(), "sessions.json");
    await writeStoreFile(`${file}.bak`, BACKUP);
    const store = openSessionStore({ path: file, readOnly: true, onWarning: () => undefined });
    const error = await store.list().then(
      () => undefined,
      (e: unknown) => e as HubError,
    );
    expect(error?.code).toBe("E_CORRUPT_STORE");
    expect(readdirSync(tmp())).toEqual(["sessions.json.bak"]);
  });

  it("with only copies of a corrupt store beside it: starts empty with one warning", async () => {
    const file = path.join(tmp(), "sessions.json");
    await fs.writeFile(`${file}.corrupt.${fileTimestamp(NOW)}`, "{ half");
    const warnings: StoreWarning[] = [];
    const store = openSessionStore({ path: file, cacheTtlMs: 0, onWarning: (w) => warnings.push(w) });
    expect(await store.list()).toEqual([]);
    expect(await store.list()).toEqual([]);
    expect(warnings).toEqual([{ code: "E_CORRUPT_STORE", file, message: expect.stringContaining("is missing and copies of a corrupt store") as string }]);
  });
});
