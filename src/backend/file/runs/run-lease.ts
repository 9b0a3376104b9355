/**
 * The file backend's run lease (see `../../run-lease.ts`): the cross-process lock of
 * `lock/lock.ts` on `<sessions dir>/runs/<hash of key>.run`, so a holder that died is taken
 * over at once (owner pid, boot id, pid namespace) and one that stopped refreshing goes stale
 * after `RUN_STALE_MS`. An interrupt is a marker file beside it, `<...>.run.interrupt`, naming
 * the holding it is meant for (the owner record's token); the holder looks for it every
 * `INTERRUPT_POLL_MS` and removes it when it stops or releases.
 */
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { HubError, isErrnoCode } from "../../../errors.js";
import { abortLease, heldLease, type RunLease } from "../../run-lease.js";
import { acquireLock, lockDirOf, type HeldLock } from "../lock/lock.js";
import { readOwner, readOwnerSync } from "../lock/lock-owner.js";

/** A run lease not refreshed for this long (its holder frozen) may be taken over (ms). */
export const RUN_STALE_MS = 20_000;
/** How often a holder looks for an interrupt marker and a lost lease (ms). */
export const INTERRUPT_POLL_MS = 200;

/** The lock file of `key`'s runs: hashed, so any key is a safe file name. */
export function runFileOf(sessionsDir: string, key: string): string {
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 40);
  return path.join(sessionsDir, "runs", `${hash}.run`);
}

const markerOf = (runFile: string) => `${runFile}.interrupt`;

async function readMarker(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return undefined;
    throw error;
  }
}

async function removeMarkerFor(file: string, token: string): Promise<void> {
  if ((await readMarker(file)) !== token) return;
  await fs.rm(file, { force: true });
}

/** Takes `key`'s run lease, or resolves undefined when another holding is live. */
export async function tryFileRun(sessionsDir: string, key: string): Promise<RunLease | undefined> {
  const file = runFileOf(sessionsDir, key);
  let lock: HeldLock;
  try {
    lock = await acquireLock(file, { timeoutMs: 0, staleMs: RUN_STALE_MS });
  } catch (error) {
    if (error instanceof HubError && error.code === "E_LOCK_TIMEOUT") return undefined;
    throw error;
  }
  const token = (await readOwner(lockDirOf(file)))?.token ?? "";
  const controller = new AbortController();
  const marker = markerOf(file);
  let stopped = false;
  /** Ends this holding at once: the lock library's refresh must not touch the new holder's lock. */
  const lose = (why: string) => {
    abortLease(controller, "lost", `another process took the run of ${key} over: ${why}`);
    if (stopped) return;
    stopped = true;
    // Its lock is another holder's now: release only stops the refresh and leaves that lock alone.
    void lock.release().catch(() => undefined);
  };
  const poll = async () => {
    if (!controller.signal.aborted && (await readMarker(marker)) === token) {
      abortLease(controller, "interrupted", `the run of ${key} was interrupted`);
      await fs.rm(marker, { force: true });
    }
  };
  return heldLease(key, controller, {
    everyMs: INTERRUPT_POLL_MS,
    // Synchronous, so that it runs before an overdue refresh of a holder that was frozen.
    beforeTick: () => {
      if (!stopped && (lock.compromised !== undefined || readOwnerSync(lockDirOf(file))?.token !== token)) lose(lock.compromised?.message ?? "the lock has another owner");
    },
    tick: poll,
    finish: async () => {
      await removeMarkerFor(marker, token);
      if (stopped) return;
      stopped = true;
      await lock.release();
    },
  });
}

/** Leaves an interrupt marker for the live holding of `key`'s run; false when there is none. */
export async function interruptFileRun(sessionsDir: string, key: string): Promise<boolean> {
  const file = runFileOf(sessionsDir, key);
  const owner = await readOwner(lockDirOf(file));
  if (owner === undefined) return false;
  await fs.writeFile(markerOf(file), owner.token, { mode: 0o600 });
  return true;
}
