/** `FileBackend.touch` moves the activity clock through the clock journal, as a turn does. */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openFileBackend, type FileBackendOptions } from "../../../src/backend/file/index.js";
import { exists, useTempDir } from "./helpers.js";

const tmp = useTempDir("hub-touch-");
const KEY = "agent:main:telegram:dm:111";

function open(options: FileBackendOptions = {}) {
  return openFileBackend({ stateDir: tmp(), durable: false, now: () => 1_000, ...options });
}

describe("FileBackend.touch", () => {
  it("leaves sessions.json byte for byte and records the clock in the journal; every reader sees it at once", async () => {
    const backend = open();
    await backend.update(KEY, (draft) => draft.set(KEY, { sessionId: "s-1", updatedAt: 2_000, label: "kept" }));
    const before = await fs.readFile(backend.path, "utf8");
    const writes = backend.store.stats.writes;

    expect(await backend.touch(KEY, "s-1", 5_000)).toBe(true);

    expect(await fs.readFile(backend.path, "utf8")).toBe(before);
    expect(backend.store.stats.writes).toBe(writes);
    expect(await fs.readFile(`${backend.path}.clock`, "utf8")).toBe(`${JSON.stringify({ k: KEY, s: "s-1", t: 5_000 })}\n`);
    expect((await backend.get(KEY))?.updatedAt).toBe(5_000);
    // Another process's backend on the same state dir sees it without a fold.
    const peer = open({ readOnly: true });
    expect((await peer.get(KEY))?.updatedAt).toBe(5_000);
    await peer.close();

    // Backwards or already covered: nothing more is recorded.
    expect(await backend.touch(KEY, "s-1", 4_000)).toBe(true);
    expect(await backend.touch(KEY, "s-1", 5_000)).toBe(true);
    expect((await fs.readFile(`${backend.path}.clock`, "utf8")).split("\n")).toHaveLength(2);

    await backend.close();
    const folded = JSON.parse(await fs.readFile(backend.path, "utf8")) as Record<string, { updatedAt: number; label: string }>;
    expect(folded[KEY]).toMatchObject({ sessionId: "s-1", updatedAt: 5_000, label: "kept" });
    expect(await exists(`${backend.path}.clock`)).toBe(false);
  });

  it("another session or an absent key: false, and nothing is recorded or written", async () => {
    const backend = open();
    await backend.update(KEY, (draft) => draft.set(KEY, { sessionId: "s-1", updatedAt: 2_000 }));
    const before = await fs.readFile(backend.path, "utf8");
    expect(await backend.touch(KEY, "s-other", 9_000)).toBe(false);
    expect(await backend.touch("agent:main:absent", "s-1", 9_000)).toBe(false);
    expect(await fs.readFile(backend.path, "utf8")).toBe(before);
    expect(await exists(`${backend.path}.clock`)).toBe(false);
    expect((await backend.get(KEY))?.updatedAt).toBe(2_000);
    expect(await backend.get("agent:main:absent")).toBeUndefined();
    await backend.close();
  });

  it("activityFlushMs: 0 writes sessions.json at once and keeps no journal, as before", async () => {
    const backend = open({ activityFlushMs: 0 });
    await backend.update(KEY, (draft) => draft.set(KEY, { sessionId: "s-1", updatedAt: 2_000 }));
    expect(await backend.touch(KEY, "s-1", 5_000)).toBe(true);
    expect(JSON.parse(await fs.readFile(backend.path, "utf8"))[KEY].updatedAt).toBe(5_000);
    expect(await exists(path.join(path.dirname(backend.path), "sessions.json.clock"))).toBe(false);
    await backend.close();
  });
});
