/**
 * The cross-process lock: proper-lockfile's `<file>.lock` directory with an owner record
 * inside (lock-owner.ts), so a lock left by a crashed process is taken over at once instead of
 * after `staleMs`. A live owner's lock goes stale only through proper-lockfile's mtime rule
 * (the holder refreshes it; a frozen or remote holder stops doing so).
 *
 * The directory never exists without its record: it is built under a private name and renamed
 * into place. Removal (release, stale takeover, `hub doctor --fix`) renames it aside and
 * judges it again there, so only what was judged is removed. A holder checks it still holds
 * the lock right before its rename (`assertOwned`): one paused past `staleMs` writes nothing.
 */
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import lockfile from "proper-lockfile";
import { nanoid } from "nanoid";
import { HubError, isErrnoCode } from "../../../errors.js";
import { ensureDir, ioFailure } from "../fs/atomic.js";
import { markWaiting, unmarkWaiting } from "./lock-waiters.js";
import { OWNER_FILE, isOwnerDead, newOwnerRecord, readOwner, readOwnerSync, takeOverDeadOwner, type OwnerRecord } from "./lock-owner.js";

export { isProcessAlive } from "./lock-owner.js";

export interface LockOptions {
  /** Give up waiting after this long (ms). */
  timeoutMs: number;
  /** A lock whose mtime is older than this is stale whoever holds it (ms, ≥ 2000). */
  staleMs: number;
}

export interface HeldLock {
  /** Set when proper-lockfile reports that another process took the lock from us. */
  readonly compromised: Error | undefined;
  /**
   * Throws `E_LOCK_COMPROMISED` unless this holder's record is still the lock's and the lock is
   * not stale (anyone may take a stale lock over at any instant). Synchronous, so the write
   * that follows it right away cannot be preceded by anything else of this process.
   */
  assertOwned(): void;
  release(): Promise<void>;
}

/**
 * Creates the lock directory `dir` with `owner` already inside. Sync: a handful of syscalls
 * on a local directory cost far less than as many thread-pool round trips.
 */
function createLockDirSync(dir: string, owner: OwnerRecord): void {
  const staging = `${dir}.new-${nanoid(8)}`;
  fs.mkdirSync(staging);
  try {
    fs.writeFileSync(path.join(staging, OWNER_FILE), JSON.stringify(owner), { mode: 0o600 });
    // rename fails when `dir` exists and is not empty (or is a file): the lock is taken.
    fs.renameSync(staging, dir);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (isErrnoCode(error, "ENOTEMPTY") || isErrnoCode(error, "ENOTDIR")) {
      throw Object.assign(new Error(`${dir} exists`), { code: "EEXIST" });
    }
    throw error;
  }
}

/** Stale: its owner is certainly dead, or it was not refreshed for `staleMs`. */
function isStaleSync(lockDir: string, staleMs: number): boolean {
  const owner = readOwnerSync(lockDir);
  if (owner !== undefined && isOwnerDead(owner)) return true;
  return Date.now() - fs.lstatSync(lockDir).mtimeMs > staleMs;
}

/**
 * Removes the lock at `dir` if it is ours (`token`) or stale, judged again after it was
 * renamed aside: a lock found stale a moment ago may have been replaced by a fresh one since,
 * and the rename makes sure that what is judged is what is removed. A lock that is neither is
 * put back. Returns whether it was removed; ENOENT when there is no lock.
 */
function removeLockDirSync(dir: string, staleMs: number, token: string | undefined): boolean {
  const aside = `${dir}.old-${nanoid(8)}`;
  fs.renameSync(dir, aside);
  if ((token !== undefined && readOwnerSync(aside)?.token === token) || isStaleSync(aside, staleMs)) {
    fs.rmSync(aside, { recursive: true, force: true });
    return true;
  }
  try {
    fs.renameSync(aside, dir);
  } catch (error) {
    if (!isErrnoCode(error, "ENOTEMPTY") && !isErrnoCode(error, "EEXIST") && !isErrnoCode(error, "ENOTDIR")) throw error;
    // A new lock took the place meanwhile: the one moved aside has lost it (its holder finds out before writing).
    fs.rmSync(aside, { recursive: true, force: true });
  }
  return false;
}

/**
 * The file-system calls proper-lockfile makes (its `lockSync` uses the `*Sync` forms), for one
 * acquisition: the lock is created with this holder's owner record inside, and removed only
 * when it is this holder's or stale on a second look (see removeLockDirSync). An empty
 * directory at the lock path (only a foreign tool makes one) is replaced.
 */
function lockFsFor(staleMs: number, held: { token?: string }): typeof fs {
  // Only what lockSync calls: spreading all of node:fs per acquisition would cost ~50 µs.
  const used = { statSync: fs.statSync, utimesSync: fs.utimesSync, realpathSync: fs.realpathSync };
  return {
    ...used,
    mkdirSync(dir: string): void {
      const owner = newOwnerRecord();
      createLockDirSync(dir, owner);
      held.token = owner.token;
    },
    rmdirSync(dir: string): void {
      removeLockDirSync(dir, staleMs, held.token);
    },
  } as unknown as typeof fs;
}

/**
 * Refuses a lock path that is a symlink (a hand-made trap, or another tool's): its target is
 * no lock of ours, and nothing there may be judged, moved or removed. Asked only when the lock
 * is busy, so a free lock costs nothing more.
 */
function assertNotSymlink(lockDir: string, file: string): void {
  let link = false;
  try {
    link = fs.lstatSync(lockDir).isSymbolicLink();
  } catch (error) {
    if (!isErrnoCode(error, "ENOENT")) throw ioFailure("check the lock of", file, error);
  }
  if (link) throw new HubError("E_INVALID_SESSION_FILE", `the lock ${lockDir} is a symbolic link: refused (remove it by hand if it is not meant to be there)`, { file: lockDir });
}

export function lockDirOf(file: string): string {
  return `${file}.lock`;
}

/** Acquires the lock on `file`, waiting with backoff up to `timeoutMs`. */
export async function acquireLock(file: string, options: LockOptions): Promise<HeldLock> {
  const lockDir = lockDirOf(file);
  const deadline = Date.now() + options.timeoutMs;
  let delay = 1;
  let waited = false;
  for (;;) {
    const held: { token?: string } = {};
    let compromised: Error | undefined;
    try {
      const release = lockfile.lockSync(file, {
        realpath: false,
        lockfilePath: lockDir,
        stale: options.staleMs,
        retries: 0,
        fs: lockFsFor(options.staleMs, held),
        onCompromised: (error) => {
          compromised = error;
        },
      });
      if (waited) unmarkWaiting(lockDir);
      return heldLock(file, lockDir, options.staleMs, held.token as string, release, () => compromised);
    } catch (error) {
      if (isErrnoCode(error, "ENOENT")) {
        await ensureDir(path.dirname(lockDir));
        continue;
      }
      if (!isErrnoCode(error, "ELOCKED")) throw ioFailure("lock", file, error);
      assertNotSymlink(lockDir, file);
      markWaiting(lockDir); // a holder keeping the lock across a burst gives it back (lease.ts)
      waited = true;
    }
    if (takeOverDeadOwner(lockDir)) continue;
    if (Date.now() >= deadline) {
      if (waited) unmarkWaiting(lockDir);
      const owner = await readOwner(lockDir);
      const by = owner ? ` (held by pid ${owner.pid} on ${owner.host})` : "";
      throw new HubError("E_LOCK_TIMEOUT", `timed out after ${options.timeoutMs} ms waiting for the lock on ${file}${by}`, { file });
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 50);
  }
}

/**
 * A lock directory's identity: its inode and birth time. A directory that replaced ours (a
 * takeover, possible only once ours went stale, `staleMs` after its last refresh) was born
 * later. Undefined where the file system keeps no birth time.
 */
function identityOf(stat: fs.Stats): string | undefined {
  return stat.birthtimeMs > 0 ? `${stat.ino}:${stat.birthtimeMs}` : undefined;
}

function heldLock(file: string, lockDir: string, staleMs: number, token: string, release: () => void, compromised: () => Error | undefined): HeldLock {
  /** The identity of the lock directory when its owner record last named us (saves reading it again). */
  let verified: string | undefined;
  return {
    get compromised() {
      return compromised();
    },
    assertOwned() {
      let reason = compromised()?.message;
      try {
        const stat = fs.lstatSync(lockDir);
        const identity = identityOf(stat);
        if (reason === undefined && (identity === undefined || identity !== verified)) {
          if (readOwnerSync(lockDir)?.token !== token) reason = "another process holds it now";
          else verified = identity;
        }
        const ageMs = Date.now() - stat.mtimeMs;
        if (reason === undefined && ageMs > staleMs) reason = `it was not refreshed for ${Math.round(ageMs)} ms (stale after ${staleMs} ms), so anyone may take it over`;
      } catch (error) {
        if (!isErrnoCode(error, "ENOENT") && !isErrnoCode(error, "ENOTDIR")) throw ioFailure("check the lock on", file, error);
        reason ??= "it was removed";
      }
      if (reason !== undefined) throw new HubError("E_LOCK_COMPROMISED", `lost the lock on ${file} before writing: ${reason}; nothing was written`, { file });
    },
    release: async () => {
      try {
        release();
      } catch (error) {
        // A compromised lock was already taken over or removed: nothing of ours to remove.
        if (!(compromised() && isErrnoCode(error, "ERELEASED"))) throw error;
      }
    },
  };
}

/** Runs `fn` while holding the lock on `file`. */
export async function withLock<T>(file: string, options: LockOptions, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
  const lock = await acquireLock(file, options);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}

export type LockState =
  | { state: "free" }
  | { state: "held"; pid: number | undefined; host: string | undefined; ageMs: number }
  /** The owner is certainly dead, or the lock has not been refreshed for `staleMs`. */
  | { state: "stale"; pid: number | undefined; host: string | undefined; ageMs: number; reason: string };

/** What the lock on `file` looks like now (for `hub status` and `hub doctor`); changes nothing. */
export async function inspectLock(file: string, staleMs: number, now = Date.now()): Promise<LockState> {
  const lockDir = lockDirOf(file);
  let mtimeMs: number;
  try {
    mtimeMs = (await fs.promises.stat(lockDir)).mtimeMs;
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return { state: "free" };
    throw error;
  }
  const owner = await readOwner(lockDir);
  const base = { pid: owner?.pid, host: owner?.host, ageMs: Math.max(0, now - mtimeMs) };
  if (owner && isOwnerDead(owner)) {
    return { state: "stale", ...base, reason: `owner pid ${owner.pid} is not running` };
  }
  if (base.ageMs > staleMs) return { state: "stale", ...base, reason: `not refreshed for ${Math.round(base.ageMs / 1000)} s` };
  return { state: "held", ...base };
}

/**
 * Removes the lock on `file` if it is stale now: it is renamed aside and judged again there
 * (a lock judged stale earlier may have changed hands since); a live one is put back.
 * Returns whether a lock was removed.
 */
export async function removeStaleLock(file: string, staleMs = 10_000): Promise<boolean> {
  try {
    return removeLockDirSync(lockDirOf(file), staleMs, undefined);
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return false;
    throw ioFailure("remove the lock of", file, error);
  }
}
