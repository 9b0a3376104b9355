/**
 * Claims by hard link. A claim whose record needs no fsync of its own (a turn's: its
 * transcript line is the durable mark, see turn.ts) is made with link(2) from a file that
 * this process shares between all its claims of a few seconds, the *batch*: link fails when
 * the name exists, as an O_EXCL create does, so of any number of processes claiming one
 * message exactly one succeeds. A link is a directory entry (about 15 µs on this project's
 * test machine), where a new file is an inode (about 0.8 ms there, and serialized to some
 * 1,200 per second for the whole machine): measured in the README's decisions.
 *
 * The batch file holds what a record says, true of every claim linked to it: claimed at the
 * batch's start (no later than any of its claims), expiring `ttlMs` after the batch's end (no
 * earlier than any of its claims would), and owned by this process. It is written and
 * fsynced before the first link, so a link never names an empty file. A record is never
 * written in place (marking it done or taking it over replaces the name with a file of its
 * own), so the shared content never changes.
 */
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { customAlphabet } from "nanoid";
import { isErrnoCode } from "../../../errors.js";
import { FILE_MODE, ensureDir } from "../fs/atomic.js";
import { ioFailure, unlinkIfPresent } from "../fs/fs-util.js";
import { currentOwner } from "./claim-owner.js";

/** How long one batch serves (by the claim clock, and by the real clock). */
export const BATCH_MS = 5_000;
/** Links per batch file at most (ext4 allows 65,000 per inode). */
const BATCH_MAX_LINKS = 20_000;
/** The directory of batch files, under the dedupe directory. */
export const BATCHES_DIR = "batches";

const batchName = customAlphabet("0123456789abcdefghijklmnopqrstuvwxyz", 12);

interface Batch {
  file: string;
  /** The claim clock's span the batch covers: [startsAt, endsAt). */
  startsAt: number;
  endsAt: number;
  /** When it was made (real clock, performance.now()). */
  madeAt: number;
  links: number;
  /** Made for one claim whose time the shared batch does not cover: its name goes after the link. */
  single?: true;
}

/** Per dedupe directory and TTL, the batch in use and the one being made. */
const batches = new Map<string, { current?: Batch; making?: Promise<Batch> }>();

function usable(batch: Batch | undefined, now: number): batch is Batch {
  return batch !== undefined && now >= batch.startsAt && now < batch.endsAt && batch.links < BATCH_MAX_LINKS && performance.now() - batch.madeAt < BATCH_MS;
}

async function makeBatch(dir: string, now: number, ttlMs: number, durable: boolean): Promise<Batch> {
  const batchDir = path.join(dir, BATCHES_DIR);
  await ensureDir(batchDir);
  const file = path.join(batchDir, `${process.pid}-${batchName()}`);
  const endsAt = now + BATCH_MS;
  const text = JSON.stringify({ claimedAt: now, expiresAt: endsAt + ttlMs, owner: currentOwner(), batch: true });
  const handle = await fsp.open(file, "wx", FILE_MODE).catch((error: unknown) => {
    throw ioFailure("create dedupe batch", file, error);
  });
  try {
    await handle.writeFile(text, "utf8");
    if (durable) await handle.sync();
  } catch (error) {
    await handle.close();
    await unlinkIfPresent(file);
    throw ioFailure("write dedupe batch", file, error);
  }
  await handle.close();
  return { file, startsAt: now, endsAt, madeAt: performance.now(), links: 0 };
}

/** The batch a claim at `now` links to: the current one, or a new one (the old file's name removed). */
async function batchFor(dir: string, now: number, ttlMs: number, durable: boolean): Promise<Batch> {
  const id = `${dir}\u0000${ttlMs}`;
  let slot = batches.get(id);
  if (slot === undefined) batches.set(id, (slot = {}));
  if (usable(slot.current, now)) return slot.current;
  const state = slot;
  state.making ??= (async () => {
    const old = state.current;
    try {
      const batch = await makeBatch(dir, now, ttlMs, durable);
      state.current = batch;
      if (old !== undefined) await unlinkIfPresent(old.file); // its links keep the content
      return batch;
    } finally {
      delete state.making;
    }
  })();
  const made = await state.making;
  // Made for another claim's time: this one needs its own when outside the span.
  return usable(made, now) ? made : { ...(await makeBatch(dir, now, ttlMs, durable)), single: true };
}

/**
 * Links the record `file` to this process's batch for `now` and `ttlMs`: true when this call
 * made the record, false when the name exists (the message is claimed).
 */
export async function linkClaim(dir: string, file: string, now: number, ttlMs: number, durable: boolean): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    const batch = await batchFor(dir, now, ttlMs, durable);
    try {
      fs.linkSync(batch.file, file);
      batch.links++;
      return true;
    } catch (error) {
      if (isErrnoCode(error, "EEXIST")) return false;
      if (attempt >= 2 || !(isErrnoCode(error, "ENOENT") || isErrnoCode(error, "EMLINK"))) throw ioFailure("create dedupe record", file, error);
      // The shard does not exist yet, or the batch file was removed (a prune of a stale one) or is full.
      if (isErrnoCode(error, "ENOENT")) await ensureDir(path.dirname(file));
      if (isErrnoCode(error, "EMLINK") || !fs.existsSync(batch.file)) batch.links = BATCH_MAX_LINKS;
    } finally {
      if (batch.single) await unlinkIfPresent(batch.file);
    }
  }
}
