/**
 * "Someone is waiting for this lock": a process that finds a lock busy marks it with an empty
 * `<lock>.want` file beside the lock directory (never inside it: that would move the
 * directory's mtime, which is the holder's freshness), and removes the mark once it has the
 * lock or gives up. A holder that keeps its lock across a burst (lease.ts) gives it back after
 * its current section when it sees the mark. A mark left by a killed waiter only makes the
 * next holder give its lock back sooner; the next waiter removes it.
 */
import fs from "node:fs";
import { isErrnoCode } from "../../../errors.js";

export function wantPathOf(lockDir: string): string {
  return `${lockDir}.want`;
}

/** Marks that this process waits for the lock (best effort: a full or read-only disk only loses the hint). */
export function markWaiting(lockDir: string): void {
  try {
    fs.closeSync(fs.openSync(wantPathOf(lockDir), "a", 0o600));
  } catch (error) {
    // Only a hint: without it the holder still gives the lock back when idle or after its maximum hold.
    if (!isErrnoCode(error, "ENOENT") && !isErrnoCode(error, "ENOSPC") && !isErrnoCode(error, "EROFS") && !isErrnoCode(error, "EACCES") && !isErrnoCode(error, "EDQUOT")) throw error;
  }
}

/** Removes this process's mark (another waiter marks again at its next try). */
export function unmarkWaiting(lockDir: string): void {
  try {
    fs.unlinkSync(wantPathOf(lockDir));
  } catch (error) {
    if (!isErrnoCode(error, "ENOENT") && !isErrnoCode(error, "EROFS") && !isErrnoCode(error, "EACCES")) throw error;
  }
}

/** Whether some process waits for the lock on `file`. */
export function someoneWaits(lockDir: string): boolean {
  return fs.existsSync(wantPathOf(lockDir));
}
