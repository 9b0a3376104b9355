/**
 * Claims made as hard links to this process's claim batch (dedupe/claim-batch.ts), as a
 * turn makes them: exclusive across processes, one inode per batch rather than per claim, a
 * record that outlives its batch file's name, expiry no earlier than a record of its own
 * would have, batches rotated with the clock, and a batch file left by a dead process pruned.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BATCH_MS, BATCHES_DIR } from "../../../../src/backend/file/dedupe/claim-batch.js";
import { claimInbound as claimInboundNow, pruneInbound, type DedupeStore } from "../../../../src/backend/file/dedupe/dedupe.js";
import { runTogether } from "../fixtures-transcripts.js";
import { useTempDir } from "../helpers.js";
import { HOUR, T0, useDedupeStores } from "./dedupe-helpers.js";

const tmp = useTempDir("hub-claim-batch-");
const track = useDedupeStores();

function storeAt(dir: string, clock: { now: number }, durable = false): DedupeStore {
  return track({ dir: path.join(dir, "sessions"), durable, now: () => clock.now });
}

const message = (messageId: string) => ({ channel: "telegram", peerId: "42", messageId });
const linked = (store: DedupeStore, messageId: string, ttlMs?: number) => claimInboundNow(store, message(messageId), { syncRecord: false, ttlMs });

async function recordFiles(store: DedupeStore): Promise<string[]> {
  const dir = path.join(store.dir, "dedupe");
  const shards = (await fs.readdir(dir)).filter((name) => /^[0-9a-f]{2}$/.test(name));
  return (await Promise.all(shards.map(async (shard) => (await fs.readdir(path.join(dir, shard))).map((name) => path.join(dir, shard, name))))).flat();
}

async function batchFiles(store: DedupeStore): Promise<string[]> {
  return fs.readdir(path.join(store.dir, "dedupe", BATCHES_DIR)).catch(() => []);
}

describe("claims linked to the claim batch", () => {
  it("are true once, false for repeats, and share one inode per batch", async () => {
    const clock = { now: T0 };
    const store = storeAt(tmp(), clock, true);
    for (let i = 0; i < 5; i++) expect(await linked(store, `m${i}`)).toBe(true);
    expect(await linked(store, "m3")).toBe(false);
    // A repeat through the default path (a record of its own) sees the linked claim too.
    expect(await claimInboundNow(store, message("m4"))).toBe(false);
    const stats = await Promise.all((await recordFiles(store)).map((file) => fs.stat(file)));
    expect(stats).toHaveLength(5);
    expect(new Set(stats.map((s) => s.ino)).size).toBe(1);
    expect(stats[0]?.nlink).toBe(6); // five records and the batch file's own name
    expect(stats[0]?.mode && stats[0].mode & 0o777).toBe(0o600);
  });

  it("record what a record of its own would: claimed no later, expiring no earlier, this process as owner", async () => {
    const clock = { now: T0 };
    const store = storeAt(tmp(), clock);
    expect(await linked(store, "first", HOUR)).toBe(true);
    clock.now = T0 + BATCH_MS - 1;
    expect(await linked(store, "last", HOUR)).toBe(true);
    for (const file of await recordFiles(store)) {
      const record = JSON.parse(await fs.readFile(file, "utf8")) as { claimedAt: number; expiresAt: number; owner: { pid: number } };
      expect(record.claimedAt).toBeLessThanOrEqual(T0);
      expect(record.expiresAt).toBeGreaterThanOrEqual(T0 + BATCH_MS - 1 + HOUR);
      expect(record.owner.pid).toBe(process.pid);
    }
    // Still a duplicate until then, claimable again after.
    clock.now = T0 + BATCH_MS - 1 + HOUR - 1;
    expect(await linked(store, "last", HOUR)).toBe(false);
    clock.now = T0 + 2 * BATCH_MS + HOUR;
    expect(await linked(store, "last", HOUR)).toBe(true);
  });

  it("move to a new batch once the clock leaves the batch's span; the old batch file's name goes, its records stay", async () => {
    const clock = { now: T0 };
    const store = storeAt(tmp(), clock);
    expect(await linked(store, "a")).toBe(true);
    const [first] = await batchFiles(store);
    clock.now = T0 + BATCH_MS;
    expect(await linked(store, "b")).toBe(true);
    const now = await batchFiles(store);
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(first);
    const inodes = new Set((await Promise.all((await recordFiles(store)).map((file) => fs.stat(file)))).map((s) => s.ino));
    expect(inodes.size).toBe(2);
    expect(await linked(store, "a")).toBe(false);
  });

  it("still work when the batch file was removed under them (a new batch is made)", async () => {
    const clock = { now: T0 };
    const store = storeAt(tmp(), clock);
    expect(await linked(store, "a")).toBe(true);
    const [batch] = await batchFiles(store);
    await fs.rm(path.join(store.dir, "dedupe", BATCHES_DIR, batch as string));
    expect(await linked(store, "b")).toBe(true);
    expect(await linked(store, "a")).toBe(false);
    expect(await recordFiles(store)).toHaveLength(2);
  });

  it("are pruned when expired, and a batch file left by a dead process goes with the prune", async () => {
    const clock = { now: T0 };
    const store = storeAt(tmp(), clock);
    expect(await linked(store, "a", HOUR)).toBe(true);
    const stale = path.join(store.dir, "dedupe", BATCHES_DIR, "1-deadprocess0");
    await fs.writeFile(stale, "{}");
    const old = new Date(Date.now() - 10 * 60_000);
    await fs.utimes(stale, old, old);
    const result = await pruneInbound(store, { now: T0 + 2 * HOUR });
    expect(result).toEqual({ removed: 1, kept: 0 });
    expect(await batchFiles(store)).not.toContain("1-deadprocess0");
    expect(await recordFiles(store)).toEqual([]);
  });

  it("4 processes racing on the same 40 message ids: exactly one winner each", async () => {
    const dir = path.join(tmp(), "sessions");
    const ids = Array.from({ length: 40 }, (_, i) => `race-${i}`);
    const runs = await runTogether("fixtures-dedupe-child.mjs", tmp(), [0, 1, 2, 3].map(() => [dir, ids.join(","), T0, "link"]));
    const won = runs.flatMap((run) => JSON.parse(run.lines.find((l) => l.startsWith("[")) ?? "null") as string[]);
    expect(won.sort()).toEqual([...ids].sort());
    expect(await linked(storeAt(tmp(), { now: T0 }), "race-0")).toBe(false);
  });
});
