import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HubError } from "../../../../src/errors.js";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import { errorCodeOf, readStoreFile, useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-too-large-");

async function rejection(promise: Promise<unknown>): Promise<HubError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HubError);
  return error as HubError;
}

describe("a store too large to load", () => {
  it("a 600 MB file (sparse: nothing is written) is refused from its size with E_STORE_TOO_LARGE naming the size and the remedies", async () => {
    const file = path.join(tmp(), "sessions.json");
    await fs.writeFile(file, "");
    await fs.truncate(file, 600 * 1024 * 1024);
    const store = openSessionStore({ path: file, onWarning: () => undefined });
    const error = await rejection(store.get("k"));
    expect(error.code).toBe("E_STORE_TOO_LARGE");
    expect(error.message).toContain("600.0 MiB (629145600 bytes)");
    expect(error.message).toContain("prune");
    expect(error.message).toContain("Postgres backend");
    expect(store.stats.diskReads).toBe(0);
    // A writer is refused the same way and changes nothing (no quarantine, no backup).
    expect(await errorCodeOf(store.update("k", { label: "x" }))).toBe("E_STORE_TOO_LARGE");
    expect((await fs.readdir(tmp())).sort()).toEqual(["sessions.json"]);
    expect((await fs.stat(file)).size).toBe(600 * 1024 * 1024);
  });

  it("maxStoreBytes: a write that would make the store larger is refused, nothing written; smaller ones go on", async () => {
    const file = path.join(tmp(), "sessions.json");
    const store = openSessionStore({ path: file, maxStoreBytes: 4_096 });
    await store.update("small", { label: "fits" });
    const before = await fs.readFile(file);
    expect(await errorCodeOf(store.update("big", { label: "x".repeat(5_000) }))).toBe("E_STORE_TOO_LARGE");
    expect(await fs.readFile(file)).toEqual(before);
    expect(await store.get("big")).toBeUndefined();
    await store.update("other", { label: "fits too" });
    expect(Object.keys(await readStoreFile(file))).toEqual(["small", "other"]);
  });

  it("maxStoreBytes must be a positive number of bytes", () => {
    expect(() => openSessionStore({ path: path.join(tmp(), "s.json"), maxStoreBytes: 0 })).toThrow(
      expect.objectContaining({ code: "E_INVALID_ARGUMENT", message: "maxStoreBytes must be a positive number of bytes, got 0" }) as Error,
    );
  });
});
