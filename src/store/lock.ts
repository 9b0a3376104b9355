/**
 * The cross-process lock: proper-lockfile's `<file>.lock` directory, plus an owner record
 * inside it so that a lock left by a crashed process on this host is taken over at once
 * instead of after `staleMs`. A live owner's lock goes stale only through proper-lockfile's
 * mtime rule (the holder refreshes it; a frozen or remote holder stops doing so).
 *
 * The lock directory never exists without its owner record, so a crash at any instant leaves
 * a lock that can be taken over: it is built under a private name with the record inside and
 * renamed into place, and removed by renaming it aside first.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import lockfile from "proper-lockfile";
import { nanoid } from "nanoid";
import { HubError, isErrnoCode } from "../errors.js";
import { ensureDir } from "./atomic.js";
import { ioErrorCode } from "./fs-util.js";

const OWNER_FILE = "owner.json";

export interface LockOptions {
  /** Give up waiting after this long (ms). */
  timeoutMs: number;
  /** A lock whose mtime is older than this is stale whoever holds it (ms, ≥ 2000). */
  staleMs: number;
}

export interface HeldLock {
  /** Set when proper-lockfile reports that another process took the lock from us. */
  readonly compromised: Error | undefined;
  release(): Promise<void>;
}

interface OwnerRecord {
  pid: number;
  host: string;
  token: string;
}

/**
 * Creates the lock directory `dir` with this process's owner record already inside. Sync: a
 * handful of syscalls on a local directory cost far less than as many thread-pool round trips.
 */
function createLockDirSync(dir: string): void {
  const staging = `${dir}.new-${nanoid(8)}`;
  fs.mkdirSync(staging);
  try {
    const owner: OwnerRecord = { pid: process.pid, host: os.hostname(), token: nanoid() };
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

/**
 * proper-lockfile takes its lock with `mkdir` and removes it with `rmdir`; ours are atomic
 * with respect to the owner record (see the file comment): removal renames the directory
 * aside first. An empty directory at the lock path (only a foreign tool makes one) is
 * replaced. Everything else is node:fs. proper-lockfile's `lockSync` uses the `*Sync` forms.
 */
const lockFs = {
  ...fs,
  mkdirSync(dir: string): void {
    createLockDirSync(dir);
  },
  rmdirSync(dir: string): void {
    const aside = `${dir}.old-${nanoid(8)}`;
    fs.renameSync(dir, aside);
    fs.rmSync(aside, { recursive: true, force: true });
  },
};

export function lockDirOf(file: string): string {
  return `${file}.lock`;
}

/** Acquires the lock on `file`, waiting with backoff up to `timeoutMs`. */
export async function acquireLock(file: string, options: LockOptions): Promise<HeldLock> {
  const lockDir = lockDirOf(file);
  const deadline = Date.now() + options.timeoutMs;
  let delay = 1;
  for (;;) {
    let compromised: Error | undefined;
    try {
      const release = lockfile.lockSync(file, {
        realpath: false,
        lockfilePath: lockDir,
        stale: options.staleMs,
        retries: 0,
        fs: lockFs,
        onCompromised: (error) => {
          compromised = error;
        },
      });
      return {
        get compromised() {
          return compromised;
        },
        release: async () => {
          try {
            release();
          } catch (error) {
            // A compromised lock was already taken over or removed: nothing of ours to remove.
            if (!(compromised && isErrnoCode(error, "ERELEASED"))) throw error;
          }
        },
      };
    } catch (error) {
      if (isErrnoCode(error, "ENOENT")) {
        await ensureDir(path.dirname(lockDir));
        continue;
      }
      if (!isErrnoCode(error, "ELOCKED")) {
        throw new HubError(ioErrorCode(error), `cannot lock ${file}: ${(error as Error).message}`, { cause: error, file });
      }
    }
    if (await takeOverDeadOwner(lockDir)) continue;
    if (Date.now() >= deadline) {
      const owner = await readOwner(lockDir);
      const by = owner ? ` (held by pid ${owner.pid} on ${owner.host})` : "";
      throw new HubError("E_LOCK_TIMEOUT", `timed out after ${options.timeoutMs} ms waiting for the lock on ${file}${by}`, { file });
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 50);
  }
}

async function readOwner(lockDir: string): Promise<OwnerRecord | undefined> {
  let text: string;
  try {
    text = await fs.promises.readFile(path.join(lockDir, OWNER_FILE), "utf8");
  } catch (error) {
    if (isErrnoCode(error, "ENOENT") || isErrnoCode(error, "ENOTDIR")) return undefined;
    throw error;
  }
  try {
    const owner = JSON.parse(text) as Partial<OwnerRecord>;
    if (typeof owner.pid === "number" && typeof owner.host === "string" && typeof owner.token === "string") {
      return owner as OwnerRecord;
    }
  } catch {
    // Not our record (ours is complete before the directory appears): a foreign holder, no takeover.
  }
  return undefined;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !isErrnoCode(error, "ESRCH");
  }
}

/**
 * When the lock's recorded owner is a dead process on this host, moves the lock directory
 * aside (rename is atomic, so one waiter wins) and removes it. Returns true when it did.
 * Should the renamed directory turn out to hold a different owner (the lock changed hands
 * between our read and our rename), it is put back.
 */
async function takeOverDeadOwner(lockDir: string): Promise<boolean> {
  const owner = await readOwner(lockDir);
  if (!owner || owner.host !== os.hostname() || isProcessAlive(owner.pid)) return false;
  const aside = `${lockDir}.dead-${nanoid(8)}`;
  try {
    await fs.promises.rename(lockDir, aside);
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return true;
    throw error;
  }
  const moved = await readOwner(aside);
  if (moved?.token !== owner.token) {
    await fs.promises.rename(aside, lockDir).catch((error: unknown) => {
      if (!isErrnoCode(error, "EEXIST") && !isErrnoCode(error, "ENOTEMPTY")) throw error;
    });
    return false;
  }
  await fs.promises.rm(aside, { recursive: true, force: true });
  return true;
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
  /** The owner is dead on this host, or the lock has not been refreshed for `staleMs`. */
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
  if (owner && owner.host === os.hostname() && !isProcessAlive(owner.pid)) {
    return { state: "stale", ...base, reason: `owner pid ${owner.pid} is not running` };
  }
  if (base.ageMs > staleMs) return { state: "stale", ...base, reason: `not refreshed for ${Math.round(base.ageMs / 1000)} s` };
  return { state: "held", ...base };
}

/** Removes a lock directory that `inspectLock` called stale. */
export async function removeStaleLock(file: string): Promise<void> {
  const aside = `${lockDirOf(file)}.dead-${nanoid(8)}`;
  try {
    await fs.promises.rename(lockDirOf(file), aside);
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return;
    throw error;
  }
  await fs.promises.rm(aside, { recursive: true, force: true });
}
