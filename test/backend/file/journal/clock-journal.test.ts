import fs from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { openSessionStore, type SessionStoreOptions } from "../../../../src/backend/file/store/session-store.js";
import { appendMessage } from "../../../../src/backend/file/transcripts/transcript-append.js";
import { exists, readStoreFile, useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-clock-");
const KEY = "agent:main:telegram:dm:111";

function open(options: SessionStoreOptions = {}) {
  return openSessionStore({ path: path.join(tmp(), "sessions", "sessions.json"), now: () => 1_000, ...options });
}

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe("the activity clock journal", () => {
  it("an append that only moves the clock leaves sessions.json alone; every reader sees the clock at once", async () => {
    const store = open();
    await appendMessage(store, KEY, { role: "user", content: "first", timestamp: 2_000 });
    const before = await fs.readFile(store.path, "utf8");
    const writes = store.stats.writes;
    await appendMessage(store, KEY, { role: "assistant", content: "second", timestamp: 3_000 });
    expect(await fs.readFile(store.path, "utf8")).toBe(before);
    expect(store.stats.writes).toBe(writes);
    expect((await store.get(KEY))?.updatedAt).toBe(3_000);
    // Another instance (as another process would) and a read-only one see it too.
    const other = open({ readOnly: true });
    expect((await other.get(KEY))?.updatedAt).toBe(3_000);
    expect((await other.list())[0]?.entry.updatedAt).toBe(3_000);
    expect(await fs.readFile(`${store.path}.clock`, "utf8")).toBe(`${JSON.stringify({ k: KEY, s: (await store.get(KEY))?.sessionId, t: 3_000 })}\n`);
    await store.close();
  });

  it("close() folds it: sessions.json is exactly JSON.stringify of the folded store, the journal is gone", async () => {
    const store = open();
    await store.update("agent:main:other", { label: "x", updatedAt: 1_500 });
    await appendMessage(store, KEY, { role: "user", content: "first", timestamp: 2_000 });
    await appendMessage(store, KEY, { role: "user", content: "again", timestamp: 4_000 });
    const folded = Object.fromEntries((await store.list()).map(({ key, entry }) => [key, entry]));
    await store.close();
    const text = await fs.readFile(store.path, "utf8");
    expect(JSON.parse(text)[KEY].updatedAt).toBe(4_000);
    expect(text).toBe(JSON.stringify({ "agent:main:other": folded["agent:main:other"], [KEY]: folded[KEY] }, null, 2));
    expect(await exists(`${store.path}.clock`)).toBe(false);
    expect(await exists(`${store.path}.clock.1`)).toBe(false);
  });

  it("activityFlushMs: 0 writes sessions.json on every append and keeps no journal, as before", async () => {
    const store = open({ activityFlushMs: 0 });
    await appendMessage(store, KEY, { role: "user", content: "first", timestamp: 2_000 });
    const writes = store.stats.writes;
    await appendMessage(store, KEY, { role: "user", content: "second", timestamp: 3_000 });
    expect(store.stats.writes).toBe(writes + 1);
    expect((await readStoreFile(store.path))[KEY]?.updatedAt).toBe(3_000);
    expect(await exists(`${store.path}.clock`)).toBe(false);
    await store.close();
  });

  it("folds a record older than activityFlushMs without close()", async () => {
    const store = open({ activityFlushMs: 50 });
    await appendMessage(store, KEY, { role: "user", content: "first", timestamp: 2_000 });
    await appendMessage(store, KEY, { role: "user", content: "second", timestamp: 3_000 });
    await waitFor(async () => (await readStoreFile(store.path))[KEY]?.updatedAt === 3_000, "the fold");
    await waitFor(async () => !(await exists(`${store.path}.clock`)), "the journal's removal");
    await store.close();
  });

  it("any whole-file write folds the journal, and a mutation decides on the folded clock", async () => {
    const store = open();
    await appendMessage(store, KEY, { role: "user", content: "first", timestamp: 2_000 });
    await appendMessage(store, KEY, { role: "user", content: "second", timestamp: 3_000 });
    const seen = await store.mutate((draft) => {
      draft.set("agent:main:other", { sessionId: "other", updatedAt: 1 });
      return draft.get(KEY)?.updatedAt;
    });
    expect(seen).toBe(3_000);
    expect((await readStoreFile(store.path))[KEY]?.updatedAt).toBe(3_000);
    expect(await exists(`${store.path}.clock`)).toBe(false);
    await store.close();
  });

  it("ignores a record of another session, an older time and a torn last line; never moves the clock backwards", async () => {
    const store = open();
    await appendMessage(store, KEY, { role: "user", content: "first", timestamp: 5_000 });
    const { sessionId } = (await store.get(KEY)) as { sessionId: string };
    const lines = [
      { k: KEY, s: "some-other-session", t: 9_000 },
      { k: KEY, s: sessionId, t: 4_000 },
      { k: KEY, s: sessionId, t: 6_000 },
      { k: "agent:main:absent", s: "x", t: 9_000 },
    ].map((r) => JSON.stringify(r));
    await fs.writeFile(`${store.path}.clock`, `${lines.join("\n")}\nnot json\n{"k":"${KEY}","s":"${sessionId}","t":8000`);
    const reader = open({ readOnly: true });
    expect((await reader.get(KEY))?.updatedAt).toBe(6_000);
    expect(await reader.get("agent:main:absent")).toBeUndefined();
    // The torn line completed later is read from where the reader stopped.
    await fs.appendFile(`${store.path}.clock`, "}\n");
    expect((await reader.get(KEY))?.updatedAt).toBe(8_000);
    expect(await store.compact()).toBe(true);
    expect((await readStoreFile(store.path))[KEY]?.updatedAt).toBe(8_000);
    expect(Object.keys(await readStoreFile(store.path))).toEqual([KEY]);
    expect(await store.compact()).toBe(false);
    await store.close();
  });

  it("a journal left by a compaction that crashed after setting it aside (.clock.1) is still read and folded", async () => {
    const store = open();
    await appendMessage(store, KEY, { role: "user", content: "first", timestamp: 2_000 });
    await appendMessage(store, KEY, { role: "user", content: "second", timestamp: 3_000 });
    await fs.rename(`${store.path}.clock`, `${store.path}.clock.1`);
    await appendMessage(store, KEY, { role: "user", content: "third", timestamp: 2_500 });
    const reader = open({ readOnly: true });
    expect((await reader.get(KEY))?.updatedAt).toBe(3_000);
    await store.close();
    expect((await readStoreFile(store.path))[KEY]?.updatedAt).toBe(3_000);
    expect(await exists(`${store.path}.clock.1`)).toBe(false);
  });

  it("rejects a negative activityFlushMs with E_INVALID_ARGUMENT", () => {
    expect(() => open({ activityFlushMs: -1 })).toThrow(expect.objectContaining({ code: "E_INVALID_ARGUMENT" }));
  });
});
