/**
 * The per-message cost of the file backend (issue 11, item 3), counted rather than timed:
 * once a conversation has had its first rounds, a durable round (receive + reply) costs two
 * syncs (one per transcript append; none for the claim record, a link to the claim batch,
 * nor for the activity clock's record: the transcript backs both), creates no lock directory
 * (the transcript's lock is kept across the burst: lock/lease.ts) and no file (the claim is a
 * link: dedupe/claim-batch.ts).
 */
import fsSync from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { processSyncPolicy } from "../../src/backend/file/fs/datasync.js";
import { processed, useHub } from "./helpers.js";

const SECOND = 1_000;

const t = useHub();

afterEach(() => {
  vi.restoreAllMocks();
});

/** Spies on every way this code base can sync a file, and on directory creation. */
async function countSyncsAndDirs(): Promise<{ syncs: () => number; links: () => number; lockDirs: () => string[] }> {
  const probe = await fs.open(path.join(t.dir(), "probe"), "w");
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void>; datasync: () => Promise<void> };
  await probe.close();
  await fs.rm(path.join(t.dir(), "probe"));
  const spies = [
    vi.spyOn(proto, "sync"),
    vi.spyOn(proto, "datasync"),
    vi.spyOn(fsSync, "fsync"),
    vi.spyOn(fsSync, "fdatasync"),
    vi.spyOn(fsSync, "fsyncSync"),
    vi.spyOn(fsSync, "fdatasyncSync"),
  ];
  const mkdirs = [vi.spyOn(fsSync, "mkdirSync"), vi.spyOn(fs, "mkdir")];
  const links = vi.spyOn(fsSync, "linkSync");
  return {
    syncs: () => spies.reduce((n, spy) => n + spy.mock.calls.length, 0),
    // Made links (a first claim in a new shard tries once before the shard exists).
    links: () => links.mock.results.filter((result) => result.type === "return").length,
    lockDirs: () => mkdirs.flatMap((spy) => spy.mock.calls.map(([dir]) => String(dir))).filter((dir) => dir.includes(".lock")),
  };
}

describe("a durable round's cost", () => {
  it("after the first rounds: two syncs (the transcript appends), a link for the claim, no lock directory per round", async () => {
    const hub = await t.open({ durable: true });
    const clock = t.clock();
    const dm = { channel: "telegram", chatType: "direct", peerId: "42", senderName: "Bo" } as const;
    const round = async (i: number) => {
      clock.advance(SECOND); // the activity clock moves every round (within one claim batch)
      const received = processed(await hub.receive({ ...dm, messageId: `m${i}`, text: `hello ${i}` }));
      await hub.reply(received.sessionKey, { text: `reply ${i}` });
    };
    // The first rounds create the transcript and record its route and sessionFile in the store.
    await round(0);
    await round(1);
    const counted = await countSyncsAndDirs();
    for (let i = 2; i < 5; i++) await round(i);
    expect(counted.syncs()).toBe(3 * 2);
    expect(counted.links()).toBe(3);
    expect(counted.lockDirs()).toEqual([]);
    const messages = await hub.latest("agent:main:telegram:dm:42", 100);
    expect(messages.map((m) => m.content)).toEqual(Array.from({ length: 5 }, (_, i) => [`hello ${i}`, `reply ${i}`]).flat());
  });
});

describe("where a round's syncs wait", () => {
  it("on the event loop by default (one conversation: each append is alone); in the thread pool with syncOnLoop: false", async () => {
    const dm = { channel: "telegram", chatType: "direct", peerId: "42", senderName: "Bo" } as const;
    const rounds = async (hub: Awaited<ReturnType<typeof t.open>>, tag: string) => {
      for (let i = 0; i < 4; i++) {
        t.clock().advance(SECOND);
        const received = processed(await hub.receive({ ...dm, messageId: `${tag}${i}`, text: `hello ${i}` }));
        await hub.reply(received.sessionKey, { text: `reply ${i}` });
      }
    };
    // A slow sync (a loaded machine) would send the next ones to the pool for a while: not here.
    processSyncPolicy.reset();
    vi.spyOn(processSyncPolicy, "noteBlocking").mockImplementation(() => undefined);
    await rounds(await t.open({ durable: true, agentId: "blocking" }), "a");
    const pool = await t.open({ durable: true, agentId: "pooled", syncOnLoop: false });
    await rounds(pool, "warm"); // the first rounds take the general path (a FileHandle's sync)
    const blocking = vi.spyOn(fsSync, "fdatasyncSync");
    const pooled = vi.spyOn(fsSync, "fdatasync");
    await rounds(pool, "b");
    expect([blocking.mock.calls.length, pooled.mock.calls.length]).toEqual([0, 8]);
    blocking.mockClear();
    pooled.mockClear();
    const hub = await t.open({ durable: true, agentId: "blocking" });
    await rounds(hub, "c");
    expect(blocking.mock.calls.length).toBe(8);
    expect(pooled.mock.calls.length).toBe(0);
  });
});

