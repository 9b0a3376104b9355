/**
 * Where an append's fdatasync waits (fs/datasync.ts): on the event loop when the append is
 * alone and no sync was slow lately, else in the thread pool. The clock of the policy is
 * injected; the syncs are real ones on a real file (or a spy standing in for a slow disk).
 */
import fsSync from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { POOL_AFTER_SLOW_MS, POOL_AFTER_SLOW_MAX_MS, SLOW_SYNC_MS, SyncPolicy, datasync } from "../../../../src/backend/file/fs/datasync.js";
import { useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-datasync-");

afterEach(() => {
  vi.restoreAllMocks();
});

function openFile(): number {
  const fd = fsSync.openSync(path.join(tmp(), "t.jsonl"), "a");
  fsSync.writeSync(fd, "line\n");
  return fd;
}

function spies() {
  return { blocking: vi.spyOn(fsSync, "fdatasyncSync"), pooled: vi.spyOn(fsSync, "fdatasync") };
}

const ALONE = { inline: true, othersWaiting: false };

describe("datasync", () => {
  it("syncs on the event loop when the append is alone", async () => {
    const fd = openFile();
    const { blocking, pooled } = spies();
    await datasync(fd, ALONE, new SyncPolicy());
    expect(blocking).toHaveBeenCalledWith(fd);
    expect(pooled).not.toHaveBeenCalled();
    fsSync.closeSync(fd);
  });

  it("syncs in the thread pool when other appends are under way, or when syncs may not block (syncOnLoop: false)", async () => {
    const fd = openFile();
    const { blocking, pooled } = spies();
    await datasync(fd, { inline: true, othersWaiting: true }, new SyncPolicy());
    await datasync(fd, { inline: false, othersWaiting: false }, new SyncPolicy());
    expect(pooled).toHaveBeenCalledTimes(2);
    expect(blocking).not.toHaveBeenCalled();
    fsSync.closeSync(fd);
  });

  it("rejects with the system's error on either path", async () => {
    const fd = openFile();
    fsSync.closeSync(fd);
    await expect(datasync(fd, ALONE, new SyncPolicy())).rejects.toMatchObject({ code: "EBADF" });
    await expect(datasync(fd, { inline: true, othersWaiting: true }, new SyncPolicy())).rejects.toMatchObject({ code: "EBADF" });
  });

  it("after a slow sync, sends syncs to the thread pool for a while, twice as long after each next slow one, until a fast one", async () => {
    const fd = openFile();
    let now = 0;
    let takes = SLOW_SYNC_MS + 1;
    const policy = new SyncPolicy(() => now);
    const blocking = vi.spyOn(fsSync, "fdatasyncSync").mockImplementation(() => {
      now += takes; // a disk that takes this long
    });
    const pooled = vi.spyOn(fsSync, "fdatasync");

    await datasync(fd, ALONE, policy); // slow: the pool for 100 ms
    expect(policy.mayBlock()).toBe(false);
    now += POOL_AFTER_SLOW_MS - 1;
    await datasync(fd, ALONE, policy);
    expect([blocking.mock.calls.length, pooled.mock.calls.length]).toEqual([1, 1]);

    now += 1;
    expect(policy.mayBlock()).toBe(true);
    await datasync(fd, ALONE, policy); // slow again: 200 ms
    now += 2 * POOL_AFTER_SLOW_MS - 1;
    expect(policy.mayBlock()).toBe(false);
    now += 1;
    expect(policy.mayBlock()).toBe(true);

    takes = SLOW_SYNC_MS; // a fast sync (at the threshold) forgets the slow ones
    await datasync(fd, ALONE, policy);
    expect(policy.mayBlock()).toBe(true);
    takes = SLOW_SYNC_MS + 1;
    await datasync(fd, ALONE, policy);
    now += POOL_AFTER_SLOW_MS;
    expect(policy.mayBlock()).toBe(true);
    expect(blocking).toHaveBeenCalledTimes(4);
    fsSync.closeSync(fd);
  });

  it("never sends syncs to the pool for longer than the maximum, however many slow ones came", () => {
    let now = 0;
    const policy = new SyncPolicy(() => now);
    for (let i = 0; i < 20; i++) {
      policy.noteBlocking(now, now + SLOW_SYNC_MS + 1);
      now += SLOW_SYNC_MS + 1 + POOL_AFTER_SLOW_MAX_MS;
      expect(policy.mayBlock()).toBe(true);
    }
    policy.noteBlocking(now, now + SLOW_SYNC_MS + 1);
    now += SLOW_SYNC_MS + POOL_AFTER_SLOW_MAX_MS;
    expect(policy.mayBlock()).toBe(false);
  });
});
