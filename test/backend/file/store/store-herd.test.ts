import path from "node:path";
import { describe, expect, it } from "vitest";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import { entry, useTempDir, writeStoreFile } from "../helpers.js";

const tmp = useTempDir("hub-herd-");
const ENTRIES = 5_000;
const HERD = 100;

describe("a herd of concurrent reads of a changed store", () => {
  it("shares one disk read and parse; every reader gets the new content", async () => {
    const file = path.join(tmp(), "sessions.json");
    const seed: Record<string, unknown> = {};
    for (let i = 0; i < ENTRIES; i++) seed[`agent:main:dm:${i}`] = entry(`s-${i}`, i, { label: "x".repeat(100) });
    await writeStoreFile(file, seed);
    const reader = openSessionStore({ path: file });
    await reader.get("agent:main:dm:0");
    expect(reader.stats.diskReads).toBe(1);

    const writer = openSessionStore({ path: file });
    await writer.update("agent:main:dm:7", { label: "changed" });
    await writer.close();

    const results = await Promise.all(Array.from({ length: HERD }, () => reader.get("agent:main:dm:7")));
    expect(results.map((e) => e?.label)).toEqual(Array.from({ length: HERD }, () => "changed"));
    expect(reader.stats.diskReads).toBe(2);
    // Each reader still gets its own copy.
    expect(new Set(results).size).toBe(HERD);
  });
});
