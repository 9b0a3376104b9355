/**
 * One de-duplication record on disk: what it holds, creating it exclusively (O_EXCL), and
 * reading it back, including one caught between its creation and its write.
 */
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { HubError, isErrnoCode } from "../../../errors.js";
import { FILE_MODE, ensureDir } from "../fs/atomic.js";
import { ioFailure } from "../fs/fs-util.js";
import type { ClaimOwner } from "./claim-owner.js";
import { isClaimOwner } from "./claim-owner.js";

/** `fs.fsync` looked up at each call (so a test can count the calls), without a `promisify` per call. */
const fsync = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => {
    fs.fsync(fd, (error) => (error ? reject(error) : resolve()));
  });

/** A record without valid content younger than this is still being written (real clock, ms). */
const WRITING_GRACE_MS = 2_000;

export interface ClaimRecord {
  claimedAt: number;
  expiresAt: number;
  channel: string;
  accountId: string;
  peerId?: string;
  messageId: string;
  owner?: ClaimOwner;
  /** Set once a repeat found the message at its destination (saves asking again). */
  done?: true;
}

/** A record as read: its validity, what judges whether it is finished, and its exact text. */
export interface ReadRecord {
  expiresAt: number;
  claimedAt?: number;
  owner?: ClaimOwner;
  done?: boolean;
  /** Not valid JSON yet, and younger than the grace period: being written. */
  writing?: boolean;
  text: string;
}

/**
 * The record at `file`, or null when there is none. A record is created and then written, so
 * one without valid content is still being written (live) for a short grace period after its
 * creation; after that it was left by a crash, or damaged, and counts as expired.
 */
export async function readRecord(file: string): Promise<ReadRecord | null> {
  let text: string;
  try {
    text = await fsp.readFile(file, "utf8");
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return null;
    throw new HubError("E_IO", `cannot read dedupe record ${file}: ${(error as Error).message}`, { cause: error, file });
  }
  try {
    const parsed = JSON.parse(text) as Partial<ClaimRecord>;
    if (typeof parsed.expiresAt === "number") {
      const record: ReadRecord = { expiresAt: parsed.expiresAt, text, done: parsed.done === true };
      if (typeof parsed.claimedAt === "number") record.claimedAt = parsed.claimedAt;
      if (isClaimOwner(parsed.owner)) record.owner = parsed.owner;
      return record;
    }
  } catch {
    // Being written right now, or damaged: told apart by its age below.
  }
  const stat = await fsp.stat(file).catch((error: unknown) => {
    if (isErrnoCode(error, "ENOENT")) return null;
    throw error;
  });
  if (stat === null) return null;
  const writing = Date.now() - stat.mtimeMs < WRITING_GRACE_MS;
  return { expiresAt: writing ? Infinity : -Infinity, text, writing };
}

/** The record at `file` once it is no longer being written (waits at most the grace period). */
export async function settledRecord(file: string): Promise<ReadRecord | null> {
  for (;;) {
    const record = await readRecord(file);
    if (record === null || record.writing !== true) return record;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Creates the record at `file` unless one exists (O_EXCL): true when this call created it.
 * Created (O_EXCL) and fsynced in the thread pool; the small write and the close are
 * synchronous (a few µs each, against a thread-pool trip each).
 */
export async function createRecord(file: string, text: string, durable: boolean): Promise<boolean> {
  let fd: number;
  try {
    fd = await openExclusive(file);
  } catch (error) {
    if (isErrnoCode(error, "EEXIST")) return false;
    throw ioFailure("create dedupe record", file, error);
  }
  try {
    const bytes = Buffer.from(text, "utf8");
    for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done, bytes.length - done);
    if (durable) await fsync(fd);
  } catch (error) {
    fs.closeSync(fd);
    await fsp.rm(file, { force: true });
    throw ioFailure("write dedupe record", file, error);
  }
  fs.closeSync(fd);
  return true;
}

/** `fs.open` in the thread pool: creating a file costs a directory update (~0.3 ms), too long to block the event loop. */
const openAsync = (file: string): Promise<number> =>
  new Promise((resolve, reject) => {
    fs.open(file, "wx", FILE_MODE, (error, fd) => (error ? reject(error) : resolve(fd)));
  });

async function openExclusive(file: string): Promise<number> {
  try {
    return await openAsync(file);
  } catch (error) {
    if (!isErrnoCode(error, "ENOENT")) throw error;
    await ensureDir(path.dirname(file));
    return await openAsync(file);
  }
}
