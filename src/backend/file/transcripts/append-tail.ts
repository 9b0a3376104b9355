/**
 * What an append knows of the end of a transcript: the tail read from the file (the last
 * entry id, a torn last line, a file to restart), or remembered from this process's own last
 * append to it, and the lines of a batch chained to it. With a remembered tail the append
 * takes its fast path: the file is written synchronously through an fd kept open from the
 * last append (kept-fds.ts) or opened for it (a few µs each, where each trip through the
 * thread pool costs tens of µs, and milliseconds on a loaded machine); its fsync waits on the
 * event loop when no other append of this process is under way, else in the thread pool
 * (fs/datasync.ts).
 */
import fs from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { customAlphabet } from "nanoid";
import { HubError, isErrnoCode } from "../../../errors.js";
import { BoundedMap } from "../../shared/bounded-map.js";
import { datasync, type DatasyncOptions } from "../fs/datasync.js";
import { ioFailure } from "../fs/fs-util.js";
import type { HeldLock } from "../lock/lock.js";
import { dropKeptFd, keepFd, takeKeptFd } from "./kept-fds.js";
import { endsWithNewline, scanBackward, sizeOf } from "./transcript-file.js";
import { messageLine, parseChainLink, type PreparedMessage, type StoredMessage } from "../../shared/transcript-format.js";

const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/** Entry ids: 16 hex digits (the runtime uses 8; 64 bits keep a 400k-line file collision-free). */
const newEntryId = customAlphabet("0123456789abcdef", 16);

export interface Tail {
  /** The file holds no complete line that could be a header: it is (re)started. */
  restart: boolean;
  /** The file does not end with a newline (a torn last line): one is written first. */
  torn: boolean;
  /** A restarted file held more than newlines: its bytes are kept aside first. */
  garbage: boolean;
  /** The id of the last entry, null when there is none yet. */
  lastId: string | null;
}

/** A batch as written: its stored messages, and whether the file was (re)started. */
export interface Written {
  stored: StoredMessage[];
  created: boolean;
}

/**
 * Per transcript, the file as this process left it after its last append (device, inode,
 * size, mtime and ctime) and the id of its last entry. Read under the transcript's lock: when
 * the file is still exactly that, no one else appended (appends grow it and move its mtime),
 * so the tail need not be read again.
 */
const lastWritten = new BoundedMap<string, { stamp: string; lastId: string | null }>(10_000); // a few MB at most

export function stampOf(fd: number): string {
  const s = fs.fstatSync(fd, { bigint: true });
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

/** The remembered tail of `file`, forgotten as it is taken (a failed append must read it again). */
export function takeKnownTail(file: string): { stamp: string; lastId: string | null } | undefined {
  const known = lastWritten.get(file);
  lastWritten.delete(file);
  dropKeptFd(file);
  return known;
}

export function rememberTail(file: string, stamp: string, lastId: string | null): void {
  lastWritten.set(file, { stamp, lastId });
}

/** Reads what an append needs to know from the end of the transcript. */
export async function readTail(handle: FileHandle): Promise<Tail> {
  const size = await sizeOf(handle);
  if (size === 0) return { restart: true, torn: false, garbage: false, lastId: null };
  const torn = !(await endsWithNewline(handle, size));
  let lastId: string | null = null;
  let headerSeen = false;
  let newestStart: number | undefined;
  await scanBackward(handle, size, (text, start) => {
    newestStart ??= start;
    const link = parseChainLink(text);
    if (link === undefined) return false;
    if ("header" in link) headerSeen = true;
    else lastId = link.id;
    return true;
  });
  // Only newlines, or one unterminated line that is no header: the first write itself was torn.
  const found = headerSeen || lastId !== null;
  const restart = newestStart === undefined || (torn && newestStart === 0 && !found);
  return { restart, torn: torn && !restart, garbage: restart && newestStart !== undefined, lastId };
}

/** The batch's lines, chained from `parentId`, and the messages as stored. */
export function linesOf(batch: ReadonlyArray<{ prepared: PreparedMessage }>, parentId: string | null): { text: string; stored: StoredMessage[]; lastId: string | null } {
  let text = "";
  const stored: StoredMessage[] = [];
  let parent = parentId;
  for (const item of batch) {
    const id = newEntryId();
    text += `${messageLine(id, parent, item.prepared)}\n`;
    stored.push({ id, parentId: parent, ...item.prepared.body } as StoredMessage);
    parent = id;
  }
  return { text, stored, lastId: parent };
}

export function assertLockHeld(lock: HeldLock, file: string): void {
  if (lock.compromised) throw new HubError("E_LOCK_COMPROMISED", `lost the lock on ${file} before appending`, { cause: lock.compromised, file });
}

/**
 * The fast path: when this process wrote `file` last and it is still exactly as it was left,
 * the batch is appended with a synchronous write (through the fd kept from the last append
 * under this lock, else one opened now and kept after a success) and an fdatasync (`sync`;
 * none when undefined), and `during` (the store's record of the batch, which must not reject)
 * runs, overlapping the wait for the disk when the sync waits in the thread pool. Undefined
 * (nothing written, `during` not run) when that is not the case: the caller takes the general
 * path.
 */
export async function appendKnownTail(
  file: string,
  batch: ReadonlyArray<{ prepared: PreparedMessage }>,
  lock: HeldLock,
  sync: DatasyncOptions | undefined,
  during: (stored: StoredMessage[]) => Promise<void>,
): Promise<Written | undefined> {
  const known = lastWritten.get(file);
  if (known === undefined) return undefined;
  let fd = takeKeptFd(file, lock);
  try {
    fd ??= fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | NOFOLLOW);
  } catch (error) {
    // Gone (archived, removed), or a symlink: the general path decides.
    if (isErrnoCode(error, "ENOENT") || isErrnoCode(error, "ELOOP") || isErrnoCode(error, "EMLINK")) return undefined;
    throw ioFailure("open transcript", file, error);
  }
  let keep = false;
  try {
    if (stampOf(fd) !== known.stamp) return undefined;
    lastWritten.delete(file);
    const lines = linesOf(batch, known.lastId);
    assertLockHeld(lock, file);
    const bytes = Buffer.from(lines.text, "utf8");
    for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done, bytes.length - done);
    const stamp = stampOf(fd);
    const [synced] = await Promise.allSettled([sync === undefined ? undefined : datasync(fd, sync), during(lines.stored)]);
    if (synced.status === "rejected") throw synced.reason;
    rememberTail(file, stamp, lines.lastId);
    keep = true;
    return { stored: lines.stored, created: false };
  } catch (error) {
    if (error instanceof HubError) throw error;
    throw ioFailure("append to", file, error);
  } finally {
    if (keep) keepFd(file, fd, lock);
    else fs.closeSync(fd);
  }
}
