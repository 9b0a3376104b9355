/**
 * Transcript file descriptors kept open between the appends of this process, so that the
 * fast path (append-tail.ts) skips an open and a close per append. A kept fd is used again
 * only under the very lock it was kept under (a lock is kept across a burst of appends:
 * lock/lease.ts), and only after the file's stamp (device, inode, size, mtime, ctime) proved
 * that nothing touched it: a rename or an unlink of the file moves its ctime, so an fd whose
 * path now names another file is never written to. At most `FDS_KEPT` are open; the least
 * recently used is closed first.
 */
import fs from "node:fs";
import type { HeldLock } from "../lock/lock.js";

export const FDS_KEPT = 64;

/** file -> its fd and the lock it was kept under, the least recently used first. */
const kept = new Map<string, { fd: number; lock: HeldLock }>();

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Nothing was written through it since its last append: nothing to lose.
  }
}

/** The fd kept for `file` under `lock`, taken out of the set; undefined (and closed) under another lock. */
export function takeKeptFd(file: string, lock: HeldLock): number | undefined {
  const entry = kept.get(file);
  if (entry === undefined) return undefined;
  kept.delete(file);
  if (entry.lock === lock) return entry.fd;
  closeQuietly(entry.fd);
  return undefined;
}

/** Keeps `fd` (just appended to `file` under `lock`) for the next append. */
export function keepFd(file: string, fd: number, lock: HeldLock): void {
  dropKeptFd(file);
  kept.set(file, { fd, lock });
  if (kept.size <= FDS_KEPT) return;
  const [oldest, entry] = kept.entries().next().value as [string, { fd: number }];
  kept.delete(oldest);
  closeQuietly(entry.fd);
}

/** Closes the fd kept for `file`, if any. */
export function dropKeptFd(file: string): void {
  const entry = kept.get(file);
  if (entry === undefined) return;
  kept.delete(file);
  closeQuietly(entry.fd);
}

/** Closes every kept fd of a file under `dir` (all of them without `dir`). For `close`. */
export function closeKeptFds(dir?: string): void {
  const prefix = dir === undefined ? undefined : dir.endsWith("/") ? dir : `${dir}/`;
  for (const file of [...kept.keys()]) if (prefix === undefined || file.startsWith(prefix)) dropKeptFd(file);
}

/** How many fds are kept (tests). */
export function keptFdCount(): number {
  return kept.size;
}
