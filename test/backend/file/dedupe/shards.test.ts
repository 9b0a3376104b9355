/**
 * The dedupe shards are made ahead (dedupe/shards.ts): the first claim in a directory starts
 * making all 256 in the background, so later first claims of a shard do not make one on their
 * message's path; close (settleInboundPruning) stops the work after the directory in hand.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { claimInbound, settleInboundPruning } from "../../../../src/backend/file/dedupe/dedupe.js";
import { SHARD_COUNT } from "../../../../src/backend/file/dedupe/shards.js";
import { useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-shards-");

async function shards(dir: string): Promise<string[]> {
  return (await fs.readdir(path.join(dir, "dedupe"))).filter((name) => /^[0-9a-f]{2}$/.test(name)).sort();
}

describe("dedupe shards", () => {
  it("the first claim starts making all 256, in the background", async () => {
    const store = { dir: path.join(tmp(), "sessions"), durable: false, now: () => 1_000 };
    expect(await claimInbound(store, { channel: "telegram", peerId: "1", messageId: "a" })).toBe(true);
    const deadline = Date.now() + 30_000;
    while ((await shards(store.dir)).length < SHARD_COUNT && Date.now() < deadline) await sleep(20);
    expect(await shards(store.dir)).toEqual(Array.from({ length: SHARD_COUNT }, (_, i) => i.toString(16).padStart(2, "0")));
    await settleInboundPruning(store);
  });

  it("stops at close: no directory is made after settleInboundPruning resolved", async () => {
    const store = { dir: path.join(tmp(), "sessions"), durable: false, now: () => 1_000 };
    expect(await claimInbound(store, { channel: "telegram", peerId: "1", messageId: "a" })).toBe(true);
    await settleInboundPruning(store);
    const made = await shards(store.dir);
    await sleep(100);
    expect(await shards(store.dir)).toEqual(made);
    // A later claim starts again.
    expect(await claimInbound(store, { channel: "telegram", peerId: "1", messageId: "b" })).toBe(true);
    await settleInboundPruning(store);
  });
});
