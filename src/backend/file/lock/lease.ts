/**
 * Leased locks: a cross-process lock (lock.ts) that this process keeps across a burst of
 * critical sections on the same file instead of creating and removing the lock directory for
 * each one (a `mkdir` + owner file + `rename` to take it, `rename` + `rmdir` to give it back:
 * most of an append's cost). In this process the sections on one file run one at a time, in
 * call order; the lock is given back once no section has come for `LEASE_IDLE_MS`, after
 * `LEASE_MAX_HOLD_MS` of holding, or after the current section when another process marked
 * that it waits for it (lock-waiters.ts); then, for `LEASE_COOLDOWN_MS`, each section takes
 * and gives back the lock on its own, as without a lease, so that the waiter gets its turn.
 *
 * Nothing about the lock itself changes: same directory, same owner record, same stale rules,
 * same takeover of a dead holder's lock. Before a kept lock is used again, this process checks
 * it still holds it (`assertOwned`: its own record, refreshed within `staleMs`); a lock lost
 * meanwhile (this process was stopped past `staleMs` and someone took it over) is dropped and
 * taken afresh. A process that exits gives its locks back (proper-lockfile's exit hook); one
 * that is killed leaves a lock whose dead owner the next taker detects at once.
 */
import { HubError, isErrnoCode } from "../../../errors.js";
import { acquireLock, lockDirOf, type HeldLock, type LockOptions } from "./lock.js";
import { someoneWaits } from "./lock-waiters.js";

/** A kept lock is given back after this long without a section (ms). */
export const LEASE_IDLE_MS = 2_000;
/** A lock is kept at most this long in one go (ms). */
export const LEASE_MAX_HOLD_MS = 10_000;
/** After a lease ends at its maximum or for a waiter, sections lock on their own this long (ms). */
export const LEASE_COOLDOWN_MS = 2_000;

interface Lease {
  lock: HeldLock | undefined;
  /** When the kept lock was taken (performance.now()). */
  since: number;
  /** Until when sections lock on their own (performance.now()). */
  cooldownUntil: number;
  /** Sections queued or running. */
  pending: number;
  /** Whether the last section asked for the lock to be kept after it. */
  keep: boolean;
  /** The end of the last queued section. */
  queue: Promise<unknown>;
  idle: NodeJS.Timeout | undefined;
}

const leases = new Map<string, Lease>();

/**
 * Runs `fn` while holding the cross-process lock on `file`, keeping the lock for the next
 * section of this process (see above). Sections on one file run one at a time, in call order.
 * `keep: false` (a one-off, such as archiving the file) gives the lock back right after the
 * section unless another one is queued.
 */
export function withLeasedLock<T>(file: string, options: LockOptions, fn: (lock: HeldLock) => Promise<T>, keep = true): Promise<T> {
  let lease = leases.get(file);
  if (lease === undefined) {
    lease = { lock: undefined, since: 0, cooldownUntil: 0, pending: 0, keep: true, queue: Promise.resolve(), idle: undefined };
    leases.set(file, lease);
  }
  const current = lease;
  current.pending++;
  clearTimeout(current.idle);
  const run = current.queue.then(() => {
    current.keep = keep;
    return section(file, current, options, fn);
  });
  current.queue = run.then(
    () => settle(file, current),
    () => settle(file, current),
  );
  return run;
}

async function section<T>(file: string, lease: Lease, options: LockOptions, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
  if (lease.lock !== undefined && !stillOurs(lease.lock)) await drop(lease, file);
  if (lease.lock === undefined) {
    const lock = await acquireLock(file, options);
    if (performance.now() < lease.cooldownUntil) {
      try {
        return await fn(lock);
      } finally {
        await lock.release();
      }
    }
    lease.lock = lock;
    lease.since = performance.now();
  }
  return fn(lease.lock);
}

/** Whether the kept lock is still this process's (a compromised or stale one is not). */
function stillOurs(lock: HeldLock): boolean {
  if (lock.compromised !== undefined) return false;
  try {
    lock.assertOwned();
    return true;
  } catch (error) {
    if (error instanceof HubError && error.code === "E_LOCK_COMPROMISED") return false;
    throw error;
  }
}

/** Gives back the kept lock; a lock already taken over or removed is simply forgotten. */
async function drop(lease: Lease, file: string): Promise<void> {
  const lock = lease.lock;
  lease.lock = undefined;
  if (lock === undefined) return;
  try {
    await lock.release();
  } catch (error) {
    // Taken over (ERELEASED) or removed (ENOENT) meanwhile: nothing of ours is left there.
    if (!isErrnoCode(error, "ERELEASED") && !isErrnoCode(error, "ENOENT") && !isErrnoCode(error, "ECOMPROMISED")) {
      process.emitWarning(`session-hub: giving back the lock on ${file} failed: ${(error as Error).message}`, { code: "E_LOCK_COMPROMISED" });
    }
  }
}

/** After a section: end a lease held too long, else give it back when idle. */
async function settle(file: string, lease: Lease): Promise<void> {
  lease.pending--;
  if (lease.lock !== undefined && (performance.now() - lease.since >= LEASE_MAX_HOLD_MS || someoneWaits(lockDirOf(file)))) {
    lease.cooldownUntil = performance.now() + LEASE_COOLDOWN_MS;
    await drop(lease, file);
  }
  if (lease.pending > 0) return;
  if (!lease.keep) await drop(lease, file);
  if (lease.lock === undefined) {
    if (performance.now() >= lease.cooldownUntil) leases.delete(file);
    return;
  }
  clearTimeout(lease.idle);
  lease.idle = setTimeout(() => {
    if (lease.pending > 0) return;
    lease.pending++;
    const done = lease.queue.then(async () => {
      await drop(lease, file);
    });
    lease.queue = done.then(() => settle(file, lease));
  }, LEASE_IDLE_MS);
  lease.idle.unref();
}

/**
 * Gives back every kept lock on a file under `dir` (all of them without `dir`), once the
 * sections queued on it have run. For `close`.
 */
export async function releaseLeases(dir?: string): Promise<void> {
  const prefix = dir === undefined ? undefined : dir.endsWith("/") ? dir : `${dir}/`;
  const ends: Promise<unknown>[] = [];
  for (const [file, lease] of leases) {
    if (prefix !== undefined && !file.startsWith(prefix)) continue;
    clearTimeout(lease.idle);
    lease.pending++;
    const done = lease.queue.then(() => drop(lease, file));
    lease.queue = done.then(() => settle(file, lease));
    ends.push(lease.queue);
  }
  await Promise.all(ends);
}
