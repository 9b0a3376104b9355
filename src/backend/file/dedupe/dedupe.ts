/**
 * Inbound de-duplication: `claimInbound` says whether a delivered message is new. Each claim
 * is one small record file, `<sessions dir>/dedupe/<2 hex>/<38 hex>` (a hash of channel,
 * account, peer and message id), created with O_EXCL, which fails when the name exists: of
 * any number of processes claiming one message, exactly one creates it. A record that
 * has expired is taken over, and expired records are pruned in bulk, under the lock of their
 * shard, so a takeover or a removal never races with another one.
 *
 * A claim names its owner (pid, start time, host, boot id, pid namespace: `claim-owner.ts`).
 * It is only final once the message reached its destination, which the caller can tell:
 * with `delivered`, a repeat that finds a claim whose owner is gone (or that is older than
 * `DEDUPE_PENDING_MS`) asks it, and takes the claim over when the message never got there.
 * No extra write or fsync marks a claim done on the hot path: the destination is the mark.
 */
import { createHash } from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import { HubError, describeValue, isErrnoCode } from "../../../errors.js";
import { DEDUPE_PENDING_MS, DEFAULT_DEDUPE_TTL_MS, normalizeIdentity, type InboundIdentity, type PruneResult } from "../../shared/inbound-identity.js";
import { writeFileAtomic } from "../fs/atomic.js";
import { currentOwner, ownerIsGone } from "./claim-owner.js";
import { BATCHES_DIR, linkClaim } from "./claim-batch.js";
import { SHARD_NAME, prepareShards, stopPreparingShards } from "./shards.js";
import { createRecord, readRecord, settledRecord, type ClaimRecord, type ReadRecord } from "./dedupe-record.js";
import { assertOwnDir, assertOwnDirOnce, listDirNames, unlinkIfPresent } from "../fs/fs-util.js";
import { withLock, type LockOptions } from "../lock/lock.js";
import type { SessionStore } from "../store/session-store.js";

export { DEDUPE_PENDING_MS, DEFAULT_DEDUPE_TTL_MS, normalizeIdentity };
export type { InboundIdentity, NormalizedIdentity, PruneResult } from "../../shared/inbound-identity.js";

/** Expired records are pruned at most this often (per store directory). */
export const DEDUPE_PRUNE_INTERVAL_MS = 60 * 60 * 1000;
const TEMP_MAX_AGE_MS = 5 * 60 * 1000;
const LOCK: LockOptions = { timeoutMs: 30_000, staleMs: 10_000 };
const RECORD_NAME = /^[0-9a-f]{38}$/;

export interface ClaimInboundOptions {
  /** How long a claim makes repeats duplicates (ms, > 0). Default 24 h. */
  ttlMs?: number | undefined;
  /** The time of the claim (epoch ms, or a clock). Default: the store's clock. */
  now?: number | (() => number) | undefined;
  /**
   * Whether the message already reached its destination (the hub: its transcript). Asked
   * only when a repeat finds a claim that may be unfinished: its owner is gone, or it is
   * older than `DEDUPE_PENDING_MS`. False: the claim is taken over and this call returns
   * true. Default: none, every live claim is final.
   */
  delivered?: (() => Promise<boolean>) | undefined;
  /**
   * Whether a new record is a file of its own, fsynced (when the store is durable) before the
   * claim resolves. Default: true. False: a hard link to this process's claim batch
   * (claim-batch.ts), not synced; for a caller whose destination is fsynced and searched for
   * the message after a restart (a turn: turn.ts), which makes the destination the mark.
   */
  syncRecord?: boolean | undefined;
}

/** The part of a store that de-duplication uses. */
export type DedupeStore = Pick<SessionStore, "dir" | "durable" | "now">;

function timeOf(now: ClaimInboundOptions["now"], store: DedupeStore): number {
  const at = typeof now === "function" ? now() : (now ?? store.now());
  if (typeof at !== "number" || !Number.isFinite(at)) throw new HubError("E_INVALID_ARGUMENT", `now must be epoch ms or a clock, got ${describeValue(at)}`);
  return at;
}

function recordOf(message: InboundIdentity, claimedAt: number, ttlMs: number): ClaimRecord {
  const { channel, accountId, peerId, messageId } = normalizeIdentity(message);
  const record: ClaimRecord = { claimedAt, expiresAt: claimedAt + ttlMs, channel, accountId, messageId };
  if (peerId !== "") record.peerId = peerId;
  record.owner = currentOwner();
  return record;
}

function dedupeDir(store: DedupeStore): string {
  return path.join(path.resolve(store.dir), "dedupe");
}

function recordPath(dir: string, record: ClaimRecord): string {
  const identity = JSON.stringify([record.channel, record.accountId, record.peerId ?? "", record.messageId]);
  const hash = createHash("sha256").update(identity).digest("hex");
  return path.join(dir, hash.slice(0, 2), hash.slice(2, 40));
}

/**
 * Whether a live claim may be unfinished and its message never delivered: its owner is gone
 * or it is older than `DEDUPE_PENDING_MS`, and `delivered` says the message is not there.
 * A message found there marks the record done, so that later repeats need not ask.
 */
async function abandoned(file: string, record: ReadRecord, now: number, options: ClaimInboundOptions, durable: boolean): Promise<boolean> {
  if (options.delivered === undefined || record.done) return false;
  const old = record.claimedAt === undefined || now - record.claimedAt > DEDUPE_PENDING_MS;
  if (!old && !(record.owner !== undefined && ownerIsGone(record.owner))) return false;
  if (!(await options.delivered())) return true;
  await withLock(path.dirname(file), LOCK, async () => {
    const current = await readRecord(file);
    if (current?.text !== record.text) return;
    const marked = { ...(JSON.parse(record.text) as ClaimRecord), done: true };
    await writeFileAtomic(file, JSON.stringify(marked), { durable });
  });
  return false;
}

/**
 * Claims an inbound message: true for its first delivery, false for a repeat while an
 * earlier claim is live (`ttlMs`, default 24 h) and, with `delivered`, finished. Claims
 * survive restarts (they are files under the sessions directory) and two processes claiming
 * one message at once get exactly one true. Now and then (at most hourly per directory) a claim also starts pruning
 * expired records in the background.
 */
export async function claimInbound(store: DedupeStore, message: InboundIdentity, options: ClaimInboundOptions = {}): Promise<boolean> {
  const ttlMs = options.ttlMs ?? DEFAULT_DEDUPE_TTL_MS;
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new HubError("E_INVALID_ARGUMENT", `ttlMs must be a positive number of ms, got ${describeValue(ttlMs)}`);
  }
  const now = timeOf(options.now, store);
  const record = recordOf(message, now, ttlMs);
  const dir = dedupeDir(store);
  const file = recordPath(dir, record);
  // A linked claim (claim-batch.ts) writes no record of its own: its text is made only when needed.
  const text = () => JSON.stringify(record);
  // Refused when dedupe/ or the shard is a symlink leading outside (checked once per directory).
  await assertOwnDirOnce(store.dir, path.dirname(path.dirname(file)));
  await assertOwnDirOnce(store.dir, path.dirname(file));
  if (options.syncRecord === false) await assertOwnDirOnce(store.dir, path.join(dir, BATCHES_DIR));
  schedulePrune(store, dir, now);
  prepareShards(dir);
  const created = options.syncRecord === false ? await linkClaim(dir, file, now, ttlMs, store.durable) : await createRecord(file, text(), store.durable);
  if (created) return true;
  const existing = await settledRecord(file);
  if (existing !== null && now < existing.expiresAt && !(await abandoned(file, existing, now, options, store.durable))) return false;
  // Expired, abandoned (or pruned meanwhile): decide under the shard's lock, where takeovers
  // and prunes happen. An abandoned claim is taken over only if no one else did meanwhile.
  return withLock(path.dirname(file), LOCK, async (lock) => {
    const current = await readRecord(file);
    if (current === null) return createRecord(file, text(), store.durable);
    if (now < current.expiresAt && current.text !== existing?.text) return false;
    await writeFileAtomic(file, text(), { durable: store.durable, beforeRename: () => lock.assertOwned() });
    return true;
  });
}

/**
 * Withdraws a claim, for a message that was claimed but could not be processed: its
 * redelivery is then processed instead of being reported as a duplicate. True when a record
 * was removed.
 */
export async function releaseInbound(store: DedupeStore, message: InboundIdentity): Promise<boolean> {
  const file = recordPath(dedupeDir(store), recordOf(message, 0, 1));
  return withLock(path.dirname(file), LOCK, () => unlinkIfPresent(file));
}

/** Per dedupe directory in this process: when pruning was last considered, and the run in flight. */
const pruning = new Map<string, { checkedAt: number; running?: Promise<void> }>();

/**
 * Starts a background prune when none was considered in this process for an interval, and
 * the directory's marker says no process pruned within one. Failures are reported as a
 * process warning (`E_IO`), never to the claim that happened to start the prune.
 */
function schedulePrune(store: DedupeStore, dir: string, now: number): void {
  const state = pruning.get(dir) ?? { checkedAt: -Infinity };
  pruning.set(dir, state);
  if (state.running || now - state.checkedAt < DEDUPE_PRUNE_INTERVAL_MS) return;
  state.checkedAt = now;
  state.running = (async () => {
    const marker = path.join(dir, "pruned-at");
    const last = await fsp.readFile(marker, "utf8").then(Number, (error: unknown) => {
      if (isErrnoCode(error, "ENOENT")) return -Infinity;
      throw error;
    });
    if (now - last < DEDUPE_PRUNE_INTERVAL_MS && now >= last) return;
    await writeFileAtomic(marker, String(now), { durable: false });
    await pruneInbound(store, { now });
  })()
    .catch((error: unknown) => {
      process.emitWarning(`session-hub: pruning dedupe records in ${dir} failed: ${(error as Error).message}`, { code: "E_IO" });
    })
    .finally(() => {
      delete state.running;
    });
}

/**
 * Resolves once a background prune started by `claimInbound` (if any) has finished, and the
 * shards being made ahead (shards.ts) stopped: for close.
 */
export async function settleInboundPruning(store: DedupeStore): Promise<void> {
  await pruning.get(dedupeDir(store))?.running;
  await stopPreparingShards(dedupeDir(store));
}

/**
 * Removes every expired dedupe record (and temp files left by a crash) under the store's
 * sessions directory. `now` (epoch ms or a clock) defaults to the store's clock.
 */
export async function pruneInbound(store: DedupeStore, options: { now?: number | (() => number) | undefined } = {}): Promise<PruneResult> {
  const now = timeOf(options.now, store);
  const dir = dedupeDir(store);
  const result: PruneResult = { removed: 0, kept: 0 };
  await assertOwnDir(store.dir, dir);
  // Batch files (claim-batch.ts) live seconds; one left by a process that died goes.
  await assertOwnDir(store.dir, path.join(dir, BATCHES_DIR));
  for (const name of await listDirNames(path.join(dir, BATCHES_DIR))) await removeOldTemp(path.join(dir, BATCHES_DIR, name));
  for (const shard of await listDirNames(dir, SHARD_NAME)) {
    const shardDir = path.join(dir, shard);
    await assertOwnDir(store.dir, shardDir); // never prune files in a directory elsewhere
    const expired: string[] = [];
    for (const name of await listDirNames(shardDir)) {
      const file = path.join(shardDir, name);
      if (!RECORD_NAME.test(name)) {
        await removeOldTemp(file);
        continue;
      }
      const record = await readRecord(file);
      if (record !== null && now >= record.expiresAt) expired.push(file);
      else if (record !== null) result.kept++;
    }
    if (expired.length === 0) continue;
    await withLock(shardDir, LOCK, async () => {
      for (const file of expired) {
        const record = await readRecord(file); // taken over meanwhile?
        if (record === null) continue;
        if (now < record.expiresAt) result.kept++;
        else if (await unlinkIfPresent(file)) result.removed++;
      }
    });
  }
  return result;
}



/** A temp file (write-file-atomic's, from a takeover) older than a few minutes was left by a crash. */
async function removeOldTemp(file: string): Promise<void> {
  try {
    const stat = await fsp.stat(file);
    if (stat.isFile() && Date.now() - stat.mtimeMs > TEMP_MAX_AGE_MS) await unlinkIfPresent(file);
  } catch (error) {
    if (!isErrnoCode(error, "ENOENT")) throw error;
  }
}
