/**
 * An append's `fdatasync`, and where it waits. When the append is the only one this process
 * has under way, the sync runs on the event loop, as a SQLite commit does: handing it to the
 * thread pool costs two cross-thread wake-ups (about 60 µs on the 2-vCPU machine the bench
 * runs on, a quarter of a round; README, Performance). When other appends are under way it
 * goes to the thread pool, so that the event loop serves them meanwhile and their syncs reach
 * the disk together. A sync on the event loop that took longer than `SLOW_SYNC_MS` (a busy
 * disk) sends every sync to the thread pool for a while: `POOL_AFTER_SLOW_MS` after a lone slow
 * sync, twice as long after each next one that is slow too (up to `POOL_AFTER_SLOW_MAX_MS`),
 * so a disk that stays slow blocks the loop a few times a minute, not once per message.
 * `inline: false` (the backend's `syncOnLoop: false`) always uses the thread pool.
 */
import fs from "node:fs";

/** A sync on the event loop longer than this (ms) sends syncs to the thread pool for a while. */
export const SLOW_SYNC_MS = 10;
/** How long (ms) syncs go to the thread pool after a slow one (doubled for each next slow one). */
export const POOL_AFTER_SLOW_MS = 100;
export const POOL_AFTER_SLOW_MAX_MS = 30_000;

/** When syncs may block the event loop: not for a while after a slow one. */
export class SyncPolicy {
  /** Until when syncs go to the thread pool. */
  private poolUntil = -Infinity;
  /** How long they will after the next slow sync. */
  private nextPoolMs = POOL_AFTER_SLOW_MS;

  constructor(readonly now: () => number = () => performance.now()) {}

  mayBlock(): boolean {
    return this.now() >= this.poolUntil;
  }

  /** A sync ran on the event loop from `started` to `ended`. */
  noteBlocking(started: number, ended: number): void {
    if (ended - started <= SLOW_SYNC_MS) {
      this.nextPoolMs = POOL_AFTER_SLOW_MS;
      return;
    }
    this.poolUntil = ended + this.nextPoolMs;
    this.nextPoolMs = Math.min(POOL_AFTER_SLOW_MAX_MS, this.nextPoolMs * 2);
  }

  /** Forgets the slow syncs seen (a test's fresh start). */
  reset(): void {
    this.poolUntil = -Infinity;
    this.nextPoolMs = POOL_AFTER_SLOW_MS;
  }
}

/** The policy of this process's appends. */
export const processSyncPolicy = new SyncPolicy();

export interface DatasyncOptions {
  /** Whether other appends of this process are under way (then the sync never blocks the loop). */
  othersWaiting: boolean;
  /** Whether a sync may run on the event loop at all. */
  inline: boolean;
}

/** fdatasync(2) of `fd`; `fs.fdatasync`/`fs.fdatasyncSync` are looked up at each call (tests count them). */
export function datasync(fd: number, options: DatasyncOptions, policy: SyncPolicy = processSyncPolicy): Promise<void> {
  if (options.inline && !options.othersWaiting && policy.mayBlock()) {
    const started = policy.now();
    try {
      fs.fdatasyncSync(fd);
    } catch (error) {
      return Promise.reject(error);
    } finally {
      policy.noteBlocking(started, policy.now());
    }
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    fs.fdatasync(fd, (error) => (error ? reject(error) : resolve()));
  });
}
