/**
 * Transcript fds kept open between appends (transcripts/kept-fds.ts): an append after the
 * first ones opens nothing, a kept fd is used only under the lock it was kept under, and a
 * transcript moved, replaced or removed behind the writer's back is never written through a
 * stale fd: the message lands in the file the path names.
 */
import fsSync from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openFileBackend } from "../../../../src/backend/file/index.js";
import { FDS_KEPT, closeKeptFds, keepFd, keptFdCount, takeKeptFd } from "../../../../src/backend/file/transcripts/kept-fds.js";
import { appendMessage } from "../../../../src/backend/file/transcripts/transcript-append.js";
import { readMessages } from "../../../../src/backend/file/transcripts/transcript-read.js";
import type { HeldLock } from "../../../../src/backend/file/lock/lock.js";
import { openTestStore, readJsonLines, transcriptOf } from "../fixtures-transcripts.js";
import { useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-kept-fds-");
const KEY = "agent:main:telegram:dm:111";

afterEach(() => {
  vi.restoreAllMocks();
  closeKeptFds();
});

/** Whether `fd` is still open on `file` (a closed fd's number may be reused for another file). */
const isOpen = (fd: number, file: string) => {
  try {
    return fsSync.fstatSync(fd).ino === fsSync.statSync(file).ino;
  } catch {
    return false;
  }
};

const contents = async (file: string) => (await readJsonLines(file)).filter((line) => line.type === "message").map((line) => (line.message as { content: string }).content);

describe("kept transcript fds", () => {
  it("an append after the first ones writes through the fd kept from the last one: no open, no close", async () => {
    const store = openTestStore(tmp(), { durable: true });
    await appendMessage(store, KEY, { role: "user", content: "a" });
    await appendMessage(store, KEY, { role: "assistant", content: "b" });
    const file = await transcriptOf(store, KEY);
    const opens = vi.spyOn(fsSync, "openSync");
    const closes = vi.spyOn(fsSync, "closeSync");
    await appendMessage(store, KEY, { role: "user", content: "c" });
    await appendMessage(store, KEY, { role: "assistant", content: "d" });
    expect(opens.mock.calls.filter(([p]) => p === file)).toEqual([]);
    expect(closes).not.toHaveBeenCalled();
    expect(await contents(file)).toEqual(["a", "b", "c", "d"]);
  });

  it("a transcript moved away, replaced or removed meanwhile is not written through the kept fd", async () => {
    const store = openTestStore(tmp());
    await appendMessage(store, KEY, { role: "user", content: "a" });
    await appendMessage(store, KEY, { role: "user", content: "b" });
    const file = await transcriptOf(store, KEY);

    await fs.rename(file, path.join(store.dir, "moved.jsonl")); // an operator moves it
    await appendMessage(store, KEY, { role: "user", content: "after move" });
    expect(await contents(path.join(store.dir, "moved.jsonl"))).toEqual(["a", "b"]);
    expect(await contents(file)).toEqual(["after move"]);

    const replacement = path.join(store.dir, "replacement.tmp"); // replaced by a rename over it
    await fs.copyFile(file, replacement);
    await fs.rename(replacement, file);
    await appendMessage(store, KEY, { role: "user", content: "after replace" });
    expect(await contents(file)).toEqual(["after move", "after replace"]);

    await fs.rm(file); // removed
    await appendMessage(store, KEY, { role: "user", content: "after remove" });
    expect(await contents(file)).toEqual(["after remove"]);
    expect((await readMessages(store, KEY)).messages.map((m) => m.content)).toEqual(["after remove"]);
  });

  it("a kept fd is handed back only under the lock it was kept under; another lock closes it", () => {
    const file = path.join(tmp(), "t.jsonl");
    fsSync.writeFileSync(file, "");
    const [first, second] = [{}, {}] as HeldLock[];
    const fd = fsSync.openSync(file, "a");
    keepFd(file, fd, first as HeldLock);
    expect(takeKeptFd(file, first as HeldLock)).toBe(fd);
    expect(takeKeptFd(file, first as HeldLock)).toBeUndefined(); // taken out
    keepFd(file, fd, first as HeldLock);
    expect(takeKeptFd(file, second as HeldLock)).toBeUndefined();
    expect(isOpen(fd, file)).toBe(false);
  });

  it(`keeps at most ${FDS_KEPT}, closing the least recently used`, () => {
    const lock = {} as HeldLock;
    const kept = Array.from({ length: FDS_KEPT + 3 }, (_, i) => {
      const file = path.join(tmp(), `${i}.jsonl`);
      const fd = fsSync.openSync(file, "a");
      keepFd(file, fd, lock);
      return { fd, file };
    });
    expect(keptFdCount()).toBe(FDS_KEPT);
    expect(kept.slice(0, 3).map(({ fd, file }) => isOpen(fd, file))).toEqual([false, false, false]);
    expect(kept.slice(3).every(({ fd, file }) => isOpen(fd, file))).toBe(true);
  });

  it("closing the backend closes its kept fds", async () => {
    const backend = openFileBackend({ stateDir: tmp(), durable: false });
    const entry = await backend.update(KEY, () => ({ sessionId: "s1", updatedAt: 1 }));
    await backend.append(KEY, "s1", [{ role: "user", content: "a" }]);
    await backend.append(KEY, "s1", [{ role: "user", content: "b" }]);
    expect(entry).toBeDefined();
    expect(keptFdCount()).toBe(1);
    await backend.close();
    expect(keptFdCount()).toBe(0);
  });
});
