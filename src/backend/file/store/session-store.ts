/**
 * `openSessionStore`: the sessions.json store. Reads are lock-free and served from a
 * per-process cache validated by a stat fingerprint; writes are queued, coalesced into one
 * read-modify-write per batch under the cross-process lock, and written atomically.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { HubError, describeValue } from "../../../errors.js";
import { normalizeAgentId } from "../../../keys/normalize.js";
import { MAX_STORE_BYTES, fingerprint, readWithFingerprint, tooLarge, writeFileAtomic } from "../fs/atomic.js";
import { snapshotBackup } from "./backup.js";
import { ClockJournal } from "../journal/clock-journal.js";
import { foldInto, foldedCopy, newerClock } from "../journal/clock-fold.js";
import { fillBytesInChunks, parseStore, serializeStore, type ParsedStore, type Slot } from "./codec.js";
import { DraftLayer, applyChanges, assertKey, type Changes, type StoreDraft } from "./draft.js";
import { assertTimestamp, isPlainObject, mergePatch, type SessionEntry, type SessionPatch } from "../../shared/entry.js";
import { keepReplacedInvalid } from "./invalid-entries.js";
import { acquireLock, type HeldLock, type LockOptions } from "../lock/lock.js";
import { resolveStorePath } from "./paths.js";
import { missingStoreState, recoverStore } from "./recovery.js";
import { classifyUnparsable } from "./store-shape.js";
import { guardObserver, observerWarning, type MetricsObserver } from "../../../metrics/metrics.js";

export interface StoreWarning {
  /** `E_CORRUPT_STORE` (a file was quarantined), `E_INVALID_ENTRY` (entries kept but hidden, or replaced and saved aside). */
  code: string;
  message: string;
  file?: string;
}

export interface SessionStoreOptions {
  /** Explicit sessions.json path; `{agentId}` and a leading `~` are expanded. */
  path?: string | undefined;
  /** Default: env `HUB_STATE_DIR`, else `~/.hub`. */
  stateDir?: string | undefined;
  /** Default `"main"`; the store is `<stateDir>/agents/<agentId>/sessions/sessions.json`. */
  agentId?: string | undefined;
  /** How long a parsed store may be reused (ms). Default 45 000, env `HUB_SESSION_CACHE_TTL_MS`; 0 disables. */
  cacheTtlMs?: number | undefined;
  /** fsync before rename (store and transcript appends). Default true. */
  durable?: boolean | undefined;
  /** Told about recovered corruption and hidden entries. Default: `process.emitWarning`. */
  onWarning?: ((warning: StoreWarning) => void) | undefined;
  /** The clock for `updatedAt` of new entries and `touch`. Default `Date.now`. */
  now?: (() => number) | undefined;
  /** How long a write waits for the cross-process lock (ms). Default 60 000. */
  lockTimeoutMs?: number | undefined;
  /** A lock not refreshed for this long is stale even if its owner lives (ms). Default 10 000. */
  staleMs?: number | undefined;
  /**
   * The largest store loaded or written (bytes): a bigger file is refused with
   * `E_STORE_TOO_LARGE` before it is read, and a write that would make it bigger is refused
   * (nothing written). Default and maximum 500 MiB (a JavaScript string holds ~512 MB).
   */
  maxStoreBytes?: number | undefined;
  /** Never modify files: writes reject, a corrupt store throws `E_CORRUPT_STORE` instead of being recovered. Default false. */
  readOnly?: boolean | undefined;
  /**
   * Recover (quarantine and replace) a file that does not parse even when it does not look
   * like a session store: not named `sessions.json` and not a JSON object. Default false: such
   * a file throws `E_NOT_A_STORE` and is never renamed or rewritten.
   */
  forceRecovery?: boolean | undefined;
  /**
   * How long an activity-clock move may live only in the clock journal (`sessions.json.clock`)
   * before it is folded into `sessions.json` (ms). Our readers see it at once either way; a
   * reader of `sessions.json` alone (clawdbot) lags by at most this. Default 30 000; 0 writes
   * `sessions.json` on every move, as before the journal.
   */
  activityFlushMs?: number | undefined;
  /** Told the time of each store write (`storeWrite`) and lock wait (`lockWait`), and each journal fold (`compactions`). Default: none. */
  observer?: MetricsObserver | undefined;
}

export type PatchFunction = (current: SessionEntry | undefined) => SessionPatch | null | undefined;

export interface StoreStats {
  /** Times the file was read and parsed from disk. */
  readonly diskReads: number;
  /** Times the file was written (one per coalesced batch with changes). */
  readonly writes: number;
}

export interface SessionStore {
  /** Absolute path of sessions.json. */
  readonly path: string;
  /** The sessions directory (where transcripts live). */
  readonly dir: string;
  readonly agentId: string;
  readonly durable: boolean;
  readonly now: () => number;
  readonly stats: StoreStats;
  /** A copy of the entry, or undefined. */
  get(key: string): Promise<SessionEntry | undefined>;
  /** Copies of several entries (`undefined` for absent ones) from one validated read. */
  getMany(keys: readonly string[]): Promise<Array<SessionEntry | undefined>>;
  /** Every entry, newest `updatedAt` first (copies). */
  list(): Promise<Array<{ key: string; entry: SessionEntry }>>;
  /**
   * Merges a patch (a field set to `undefined` is removed) or the result of `fn(current)`
   * (`null` = no change). Creates the entry (new sessionId, updatedAt = now) when absent.
   * Never moves `updatedAt` unless the patch sets it. Resolves once the change is on disk.
   */
  update(key: string, patch: SessionPatch): Promise<SessionEntry>;
  update(key: string, fn: PatchFunction): Promise<SessionEntry | undefined>;
  /** Moves the activity clock (never backwards); creates the entry when absent. */
  touch(key: string, at?: number): Promise<SessionEntry>;
  /** Removes a key; true when it existed. */
  delete(key: string): Promise<boolean>;
  /**
   * Runs a synchronous `fn` over the whole store inside the next coalesced write. Its changes
   * are applied only if it returns; if it throws, only this call rejects.
   */
  mutate<T>(fn: (draft: StoreDraft) => T): Promise<T>;
  /**
   * Moves the activity clock of `sessionId` under `key` to `at` (never backwards) and records
   * `sessionFile` when the entry has none. An entry that holds another session is left alone;
   * an absent one is created on that session. A move that changes nothing else is appended to
   * the clock journal instead of rewriting the store (unless `activityFlushMs` is 0).
   */
  recordActivity(key: string, sessionId: string, at: number, sessionFile: string): Promise<void>;
  /** Folds the clock journal into `sessions.json` now; false when there was nothing to fold. */
  compact(): Promise<boolean>;
  /** Waits for queued writes, folds the clock journal, then refuses further calls. */
  close(): Promise<void>;
}

interface Pending {
  run: (draft: StoreDraft) => unknown;
  /** Only to fold the clock journal (its value: whether there was anything to fold). */
  compact?: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Cache {
  fp: string | null;
  at: number;
  slots: Map<string, Slot>;
}

function resolveCacheTtl(option: number | undefined, env: NodeJS.ProcessEnv): number {
  const raw = option ?? env.HUB_SESSION_CACHE_TTL_MS;
  if (raw === undefined || raw === "") return 45_000;
  const ttl = Number(raw);
  if (!Number.isFinite(ttl) || ttl < 0) {
    const name = option === undefined ? "env HUB_SESSION_CACHE_TTL_MS" : "cacheTtlMs";
    throw new HubError("E_INVALID_ARGUMENT", `${name} must be a number of ms >= 0, got ${describeValue(raw)}`);
  }
  return ttl;
}

function positive(value: number | undefined, fallback: number, name: string, unit = "ms"): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new HubError("E_INVALID_ARGUMENT", `${name} must be a positive number of ${unit}, got ${describeValue(value)}`);
  }
  return value;
}

/** A journal larger than this is folded at the next append. */
const JOURNAL_MAX_BYTES = 1024 * 1024;

function defaultWarning(warning: StoreWarning): void {
  process.emitWarning(warning.message, { code: warning.code });
}

class FileSessionStore implements SessionStore {
  readonly path: string;
  readonly dir: string;
  readonly agentId: string;
  readonly durable: boolean;
  readonly now: () => number;
  readonly stats = { diskReads: 0, writes: 0 };
  private readonly ttl: number;
  private readonly lock: LockOptions;
  private readonly readOnly: boolean;
  private readonly forceRecovery: boolean;
  private readonly maxBytes: number;
  private readonly warn: (warning: StoreWarning) => void;
  private cache: Cache | undefined;
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;
  private invalidReported = "";
  private missingReported = false;
  private reading: { fp: string | null; result: Promise<Map<string, Slot> | HubError> } | undefined;
  private readonly journal: ClockJournal;
  private readonly flushMs: number;
  /** When this process appended the oldest record not folded yet (performance.now()). */
  private unfoldedSince: number | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly observer: MetricsObserver | undefined;

  constructor(options: SessionStoreOptions) {
    this.agentId = normalizeAgentId(options.agentId);
    this.path = resolveStorePath(options);
    this.dir = path.dirname(this.path);
    this.durable = options.durable ?? true;
    this.now = options.now ?? Date.now;
    this.ttl = resolveCacheTtl(options.cacheTtlMs, process.env);
    this.lock = {
      timeoutMs: positive(options.lockTimeoutMs, 60_000, "lockTimeoutMs"),
      staleMs: Math.max(2_000, positive(options.staleMs, 10_000, "staleMs")),
    };
    this.readOnly = options.readOnly ?? false;
    this.forceRecovery = options.forceRecovery ?? false;
    this.maxBytes = Math.min(MAX_STORE_BYTES, positive(options.maxStoreBytes, MAX_STORE_BYTES, "maxStoreBytes", "bytes"));
    this.warn = options.onWarning ?? defaultWarning;
    this.flushMs = options.activityFlushMs ?? 30_000;
    if (!Number.isFinite(this.flushMs) || this.flushMs < 0) {
      throw new HubError("E_INVALID_ARGUMENT", `activityFlushMs must be a number of ms >= 0, got ${describeValue(options.activityFlushMs)}`);
    }
    this.journal = new ClockJournal(this.path, this.durable);
    this.observer = guardObserver(options.observer, (error) => this.warn(observerWarning(error, this.path)));
  }

  async get(key: string): Promise<SessionEntry | undefined> {
    return (await this.getMany([key]))[0];
  }

  async getMany(keys: readonly string[]): Promise<Array<SessionEntry | undefined>> {
    this.assertOpen();
    for (const key of keys) assertKey(key);
    const slots = await this.readFolded();
    return keys.map((key) => {
      const slot = slots.get(key);
      return slot && !slot.invalid ? foldedCopy(this.journal, key, slot) : undefined;
    });
  }

  async list(): Promise<Array<{ key: string; entry: SessionEntry }>> {
    this.assertOpen();
    const result: Array<{ key: string; entry: SessionEntry }> = [];
    for (const [key, slot] of await this.readFolded()) {
      if (!slot.invalid) result.push({ key, entry: foldedCopy(this.journal, key, slot) });
    }
    return result.sort((a, b) => b.entry.updatedAt - a.entry.updatedAt);
  }

  update(key: string, patch: SessionPatch): Promise<SessionEntry>;
  update(key: string, fn: PatchFunction): Promise<SessionEntry | undefined>;
  // Every method that returns a promise is async: invalid input rejects, it never throws.
  async update(key: string, patchOrFn: SessionPatch | PatchFunction): Promise<SessionEntry | undefined> {
    assertKey(key);
    return this.mutate((draft) => {
      const current = draft.get(key);
      const patch = typeof patchOrFn === "function" ? patchOrFn(current === undefined ? undefined : structuredClone(current)) : patchOrFn;
      if (patch === null || patch === undefined) return current;
      if (!isPlainObject(patch)) {
        throw new HubError("E_INVALID_ARGUMENT", `patch for "${key}" must be a plain object or null, got ${describeValue(patch)}`);
      }
      const base = current ?? { sessionId: randomUUID(), updatedAt: this.now() };
      return draft.set(key, mergePatch(base, patch) as SessionEntry);
    });
  }

  async touch(key: string, at?: number): Promise<SessionEntry> {
    assertKey(key);
    const when = at ?? this.now();
    assertTimestamp(when, at === undefined ? "now()" : "at", "E_INVALID_ARGUMENT");
    return this.mutate((draft) => {
      const current = draft.get(key);
      if (current === undefined) return draft.set(key, { sessionId: randomUUID(), updatedAt: when });
      return draft.set(key, { ...current, updatedAt: Math.max(current.updatedAt, when) });
    });
  }

  async delete(key: string): Promise<boolean> {
    assertKey(key);
    return this.mutate((draft) => draft.delete(key));
  }

  async mutate<T>(fn: (draft: StoreDraft) => T): Promise<T> {
    this.assertOpen();
    if (this.readOnly) {
      throw new HubError("E_INVALID_ARGUMENT", `store ${this.path} was opened readOnly`, { file: this.path });
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: fn, resolve: resolve as (value: unknown) => void, reject });
      this.scheduleFlush();
    });
  }

  async recordActivity(key: string, sessionId: string, at: number, sessionFile: string): Promise<void> {
    this.assertOpen();
    if (this.flushMs > 0 && !this.readOnly) {
      const slot = (await this.readFolded()).get(key);
      if (slot !== undefined && !slot.invalid && slot.entry.sessionId === sessionId && slot.entry.sessionFile !== undefined) {
        if (at <= Math.max(slot.entry.updatedAt, newerClock(this.journal, key, slot) ?? 0)) return;
        const quiet = await this.journal.append({ k: key, s: sessionId, t: at });
        this.noteUnfolded();
        // No compaction was under way when the record landed, so any whole-file write that
        // decided without it has finished: if the entry still holds the session, the record
        // counts. Else (a delete or prune raced it) the locked write below recreates the entry.
        if (quiet && (await this.readFolded()).get(key)?.entry.sessionId === sessionId) return;
      }
    }
    await this.mutate((draft) => {
      const entry = draft.get(key) ?? { sessionId, updatedAt: at };
      if (entry.sessionId !== sessionId) return;
      if (draft.has(key) && entry.sessionFile !== undefined && entry.updatedAt >= at) return; // journaled, folded here
      entry.sessionFile ??= sessionFile;
      entry.updatedAt = Math.max(entry.updatedAt, at);
      draft.set(key, entry);
    });
  }

  async compact(): Promise<boolean> {
    this.assertOpen();
    return this.compactNow();
  }

  private compactNow(): Promise<boolean> {
    this.journal.refresh();
    if (this.readOnly || !this.journal.pending) return Promise.resolve(false);
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ run: () => undefined, compact: true, resolve: resolve as (value: unknown) => void, reject });
      this.scheduleFlush();
    });
  }

  /** Starts the fold timer for this process's first record since the last fold; folds a large journal now. */
  private noteUnfolded(): void {
    const due = this.journal.size > JOURNAL_MAX_BYTES;
    if (this.unfoldedSince === undefined) {
      this.unfoldedSince = performance.now();
      this.flushTimer = setTimeout(() => this.compactInBackground(), Math.min(this.flushMs, 2 ** 31 - 1));
      this.flushTimer.unref();
    }
    if (due) this.compactInBackground();
  }

  private compactInBackground(): void {
    if (this.closed) return;
    this.compactNow().catch((error: unknown) => {
      const code = error instanceof HubError ? error.code : "E_IO";
      this.warn({ code, message: `folding the activity clock journal into ${this.path} failed: ${(error as Error).message}; retried later`, file: this.path });
      this.unfoldedSince = undefined; // the next record starts the timer again
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Twice: an append that was in flight during the first fold is folded by the second.
    for (let pass = 0; pass < 2; pass++) {
      await this.journal.settle();
      while (this.flushing) await this.flushing;
      if (!this.readOnly && (pass === 0 || this.unfoldedSince !== undefined)) await this.compactNow();
    }
    this.closed = true;
    clearTimeout(this.flushTimer);
    this.journal.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new HubError("E_STORE_CLOSED", `store ${this.path} is closed`, { file: this.path });
  }

  // ---- reading ------------------------------------------------------------------------

  /** The store, with the clock journal read first (see clock-journal.ts for why first). */
  private readFolded(): Promise<Map<string, Slot>> {
    this.journal.refresh();
    return this.readSlots();
  }

  private cacheValid(fp: string | null, insideLock: boolean): boolean {
    if (this.cache === undefined || this.ttl === 0 || this.cache.fp !== fp) return false;
    // Inside the lock the fingerprint alone proves that no one else wrote.
    return insideLock || performance.now() - this.cache.at < this.ttl;
  }

  private adopt(slots: Map<string, Slot>, fp: string | null): Map<string, Slot> {
    this.cache = { fp, at: performance.now(), slots };
    return slots;
  }

  /** The store for a lock-free read; a corrupt file is recovered under the lock. */
  private async readSlots(): Promise<Map<string, Slot>> {
    const fp = await fingerprint(this.path);
    if (this.cacheValid(fp, false)) return (this.cache as Cache).slots;
    // Concurrent readers that saw the same file share one read and parse (a herd of calls on
    // a big store would otherwise hold one copy each). Only a read begun after that same
    // fingerprint was seen is joined, so nobody is served bytes older than what they saw.
    if (this.reading?.fp !== fp) {
      const reading = { fp, result: this.readFile() };
      this.reading = reading;
      void reading.result.finally(() => {
        if (this.reading === reading) this.reading = undefined;
      }).catch(() => undefined); // the readers handle the failure
    }
    const parsed = await this.reading.result;
    if (parsed instanceof HubError) {
      if (this.readOnly || parsed.code === "E_NOT_A_STORE") throw parsed;
      return this.withLock(() => this.loadLocked());
    }
    return parsed;
  }

  /** The store as it is on disk now; call only while holding the lock. */
  private async loadLocked(): Promise<Map<string, Slot>> {
    if (this.cacheValid(await fingerprint(this.path), true)) return (this.cache as Cache).slots;
    const parsed = await this.readFile();
    if (parsed instanceof HubError && parsed.code === "E_NOT_A_STORE") throw parsed;
    return parsed instanceof HubError ? this.recover(parsed) : parsed;
  }

  /** Reads and parses the file into the cache; a corrupt file comes back as its error. */
  private async readFile(): Promise<Map<string, Slot> | HubError> {
    const file = await readWithFingerprint(this.path, this.maxBytes);
    if (file === null) return this.readMissing();
    this.stats.diskReads++;
    let parsed: ParsedStore;
    try {
      parsed = parseStore(file.text, this.path);
    } catch (error) {
      if (error instanceof HubError && error.code === "E_CORRUPT_STORE") return this.forceRecovery ? error : classifyUnparsable(this.path, file.text, error);
      throw error;
    }
    const reasons = parsed.invalid.map((i) => i.reason).join("; ");
    // Said once per distinct set of invalid entries, not on every re-read.
    if (reasons !== "" && reasons !== this.invalidReported) {
      this.warn({ code: "E_INVALID_ENTRY", message: `${this.path}: kept but ignored ${parsed.invalid.length} invalid entries: ${reasons}`, file: this.path });
    }
    this.invalidReported = reasons;
    return this.adopt(parsed.slots, file.fp);
  }

  /** A missing store: recovered when a backup exists, adopted empty (with a warning if copies of a corrupt one exist) otherwise. */
  private async readMissing(): Promise<Map<string, Slot> | HubError> {
    const state = await missingStoreState(this.path);
    if (state instanceof HubError) return state;
    if (state === "warn" && !this.missingReported) {
      this.missingReported = true;
      this.warn({ code: "E_CORRUPT_STORE", message: `${this.path} is missing and copies of a corrupt store lie beside it: starting empty`, file: this.path });
    }
    return this.adopt(new Map(), null);
  }

  /** Keeps the corrupt bytes, then restores the backup (or starts empty). Under the lock. */
  private async recover(error: HubError): Promise<Map<string, Slot>> {
    if (this.readOnly) throw error;
    const recovered = await recoverStore(this.path, error, { nowMs: this.now(), durable: this.durable, warn: this.warn });
    return this.adopt(recovered.slots, recovered.fp);
  }

  // ---- writing ------------------------------------------------------------------------

  private async withLock<T>(fn: (lock: HeldLock) => Promise<T>): Promise<T> {
    const waitStart = performance.now();
    const lock = await acquireLock(this.path, this.lock);
    this.observer?.observe("lockWait", performance.now() - waitStart);
    try {
      return await fn(lock);
    } finally {
      await lock.release().catch((error: unknown) => {
        this.warn({ code: "E_LOCK_COMPROMISED", message: `releasing the lock on ${this.path}: ${(error as Error).message}`, file: this.path });
      });
    }
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      // Let the current burst of synchronous calls join the first batch.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.queue.length > 0) await this.flushBatch(this.queue.splice(0));
    })().finally(() => {
      this.flushing = undefined;
      if (this.queue.length > 0) this.scheduleFlush();
    });
  }

  /** One read-modify-write for every queued mutation. Each caller learns its own outcome. */
  private async flushBatch(batch: Pending[]): Promise<void> {
    const applied: Array<{ op: Pending; value: unknown }> = [];
    try {
      // Read, parse and serialize before taking the lock (a big store takes seconds); inside it
      // the fingerprint usually proves the copy current and only the changed entries are serialized.
      const fp = await fingerprint(this.path);
      await fillBytesInChunks(this.cache?.fp === fp ? this.cache.slots : await this.readSlots());
      await this.withLock(async (lock) => {
        const slots = await this.loadLocked();
        // Mutations decide on the folded clock (an idle check must see the newest activity);
        // the journal is set aside first, so a record that misses the decision can tell.
        this.setAside(lock);
        const folding = this.journal.pending;
        const changes: Changes = new Map();
        foldInto(this.journal, slots, changes);
        let changed = false;
        for (const op of batch) {
          const layer = new DraftLayer(slots, changes);
          try {
            const value = op.run(layer);
            if (value instanceof Promise) {
              value.catch(() => undefined);
              throw new HubError("E_INVALID_ARGUMENT", "mutate(fn): fn must be synchronous, it returned a promise");
            }
            changed ||= layer.changes.size > 0;
            layer.commitTo(changes);
            applied.push({ op, value: op.compact ? folding : value });
          } catch (error) {
            op.reject(error);
          }
        }
        try {
          if (changed || folding) await this.write(slots, changes, lock);
        } catch (error) {
          if (!folding) this.journal.removeRotated(); // only the marker: nothing unfolded in it
          throw error;
        }
        this.journal.removeRotated();
        if (folding) {
          this.folded();
          this.observer?.count("compactions");
        }
      });
    } catch (error) {
      this.cache = undefined;
      // The write failed: every mutation still pending in this batch fails with it (a promise
      // that already rejected for its own error stays as it was).
      for (const op of batch) op.reject(error);
      return;
    }
    for (const { op, value } of applied) op.resolve(value);
  }

  /**
   * Every locked batch first sets the journal aside as `.clock.1` (an empty one when there is
   * no journal) and reads it to its end, so that an appender whose record may have missed the
   * batch's decisions can tell (clock-journal.ts). With records, the write is a compaction:
   * the store is written with them folded in, then `.clock.1` is removed; a crash in between
   * leaves records that replay to the same clock.
   */
  private setAside(lock: HeldLock): void {
    lock.assertOwned();
    this.journal.refresh();
    this.journal.rotate();
    this.journal.refresh();
  }

  private folded(): void {
    this.unfoldedSince = undefined;
    clearTimeout(this.flushTimer);
  }

  private async write(slots: Map<string, Slot>, changes: Changes, lock: HeldLock): Promise<void> {
    await fillBytesInChunks(slots);
    const data = serializeStore(slots, changes);
    if (data.length > this.maxBytes) throw tooLarge(this.path, data.length, this.maxBytes);
    lock.assertOwned();
    const displaced = await keepReplacedInvalid(this.path, slots, changes, { now: this.now(), durable: this.durable });
    if (displaced) {
      const message = `${this.path}: invalid entries ${displaced.keys.map((k) => JSON.stringify(k)).join(", ")} were replaced; their bytes are kept in ${displaced.file}`;
      this.warn({ code: "E_INVALID_ENTRY", message, file: displaced.file });
    }
    const started = performance.now();
    await snapshotBackup(this.path);
    // Checked again right before the rename: a holder paused past staleMs must not overwrite its successor.
    await writeFileAtomic(this.path, data, { durable: this.durable, beforeRename: () => lock.assertOwned() });
    this.observer?.observe("storeWrite", performance.now() - started);
    applyChanges(slots, changes);
    this.adopt(slots, await fingerprint(this.path));
    this.stats.writes++;
  }
}

/** Opens the sessions.json store of one agent (or an explicit path). Nothing is read until used. */
export function openSessionStore(options: SessionStoreOptions = {}): SessionStore {
  return new FileSessionStore({ ...options });
}
