/**
 * `openSessionStore`: the sessions.json store. Reads are lock-free and served from a
 * per-process cache validated by a stat fingerprint (store-reader.ts); writes are queued,
 * coalesced into one read-modify-write per batch under the cross-process lock, and written
 * atomically (store-writer.ts). Activity-clock moves go to the clock journal.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { HubError, describeValue } from "../../../errors.js";
import { ClockJournal } from "../journal/clock-journal.js";
import { newerClock } from "../journal/clock-fold.js";
import { copyEntry } from "./copy.js";
import type { Slot } from "./codec.js";
import { assertKey, type StoreDraft } from "./draft.js";
import { assertTimestamp, isPlainObject, mergePatch, type SessionEntry, type SessionPatch } from "../../shared/entry.js";
import { StoreReader } from "./store-reader.js";
import { resolveSettings, type StoreSettings } from "./store-settings.js";
import type { PatchFunction, SessionStore, SessionStoreOptions } from "./store-types.js";
import { StoreWriter } from "./store-writer.js";

export type { PatchFunction, SessionStore, SessionStoreOptions, StoreStats, StoreWarning } from "./store-types.js";

/** A journal larger than this is folded at the next append. */
const JOURNAL_MAX_BYTES = 1024 * 1024;

class FileSessionStore implements SessionStore {
  readonly path: string;
  readonly dir: string;
  readonly agentId: string;
  readonly durable: boolean;
  readonly syncOnLoop: boolean;
  readonly now: () => number;
  readonly stats = { diskReads: 0, writes: 0 };
  private readonly settings: StoreSettings;
  private readonly reader: StoreReader;
  private readonly writer: StoreWriter;
  private readonly journal: ClockJournal;
  private closed = false;
  /** When this process appended the oldest record not folded yet (performance.now()). */
  private unfoldedSince: number | undefined;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(options: SessionStoreOptions) {
    this.settings = resolveSettings(options);
    ({ path: this.path, dir: this.dir, agentId: this.agentId, durable: this.durable, syncOnLoop: this.syncOnLoop, now: this.now } = this.settings);
    this.journal = new ClockJournal(this.path, this.durable);
    this.reader = new StoreReader(this.settings, this.stats);
    this.writer = new StoreWriter(this.settings, this.reader, this.journal, this.stats, () => this.folded());
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
      return slot && !slot.invalid ? copyEntry(slot.entry, this.journal.latest(key, slot.entry.sessionId)) : undefined;
    });
  }

  async list(): Promise<Array<{ key: string; entry: SessionEntry }>> {
    this.assertOpen();
    const result: Array<{ key: string; entry: SessionEntry }> = [];
    for (const [key, slot] of await this.readFolded()) {
      if (!slot.invalid) result.push({ key, entry: copyEntry(slot.entry, this.journal.latest(key, slot.entry.sessionId)) });
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
    if (this.settings.readOnly) {
      throw new HubError("E_INVALID_ARGUMENT", `store ${this.path} was opened readOnly`, { file: this.path });
    }
    return new Promise<T>((resolve, reject) => {
      this.writer.enqueue({ run: fn, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  async recordActivity(key: string, sessionId: string, at: number, sessionFile: string, known?: SessionEntry): Promise<void> {
    this.assertOpen();
    if (await this.journalClock(key, sessionId, at, true, known)) return;
    await this.mutate((draft) => {
      const entry = draft.get(key) ?? { sessionId, updatedAt: at };
      if (entry.sessionId !== sessionId) return;
      if (draft.has(key) && entry.sessionFile !== undefined && entry.updatedAt >= at) return; // journaled, folded here
      entry.sessionFile ??= sessionFile;
      entry.updatedAt = Math.max(entry.updatedAt, at);
      draft.set(key, entry);
    });
  }

  async touchSession(key: string, sessionId: string, at: number): Promise<boolean> {
    this.assertOpen();
    assertKey(key);
    assertTimestamp(at, "at", "E_INVALID_ARGUMENT");
    if (await this.journalClock(key, sessionId, at, false)) return true;
    return this.mutate((draft) => {
      const entry = draft.get(key);
      if (entry?.sessionId !== sessionId) return false;
      if (entry.updatedAt < at) draft.set(key, { ...entry, updatedAt: at });
      return true;
    });
  }

  /**
   * Records a clock move in the journal when the entry holds `sessionId` (and, with
   * `needsFile`, already names its transcript): true when the move is recorded or already
   * covered; false when the caller must decide under the lock (no journal, another session,
   * or a compaction or delete raced the record).
   */
  private async journalClock(key: string, sessionId: string, at: number, needsFile: boolean, known?: SessionEntry): Promise<boolean> {
    if (this.settings.flushMs === 0 || this.settings.readOnly) return false;
    // The caller's entry stands for the first read; the read after the record checks the store.
    const holds = (entry: SessionEntry | undefined) => entry?.sessionId === sessionId && !(needsFile && entry.sessionFile === undefined);
    let clock: number;
    if (known !== undefined && holds(known)) clock = Math.max(known.updatedAt, this.journal.latest(key, sessionId) ?? 0);
    else {
      const slot = (await this.readFolded()).get(key);
      if (slot === undefined || slot.invalid || !holds(slot.entry)) return false;
      clock = Math.max(slot.entry.updatedAt, newerClock(this.journal, key, slot) ?? 0);
      if (at <= clock) return true; // just read: nothing to record, nothing to check
    }
    let quiet = true;
    if (at > clock) {
      quiet = await this.journal.append({ k: key, s: sessionId, t: at });
      this.noteUnfolded();
    }
    // No compaction was under way when the record landed, so any whole-file write that
    // decided without it has finished: if the entry still holds the session, the record
    // counts. Else (a delete or prune raced it) the caller's locked write decides. Whether it
    // holds the session is in sessions.json alone (the journal holds only clocks): not re-read.
    if (quiet) {
      const slot = (await this.reader.readSlots()).get(key);
      return slot !== undefined && !slot.invalid && holds(slot.entry);
    }
    // A compaction was under way and may have decided without the record, which stays in the
    // journal: once it is over, the same check under the lock, without a write of our own.
    return this.writer.holdsOnceCompacted(key, sessionId, needsFile);
  }

  async compact(): Promise<boolean> {
    this.assertOpen();
    return this.compactNow();
  }

  private compactNow(): Promise<boolean> {
    this.journal.refresh();
    // A set-aside journal with no records (the marker of a locked write that crashed) is removed too.
    if (this.settings.readOnly || !(this.journal.pending || this.journal.setAside)) return Promise.resolve(false);
    return new Promise<boolean>((resolve, reject) => {
      this.writer.enqueue({ run: () => undefined, compact: true, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /** Starts the fold timer for this process's first record since the last fold; folds a large journal now. */
  private noteUnfolded(): void {
    const due = this.journal.size > JOURNAL_MAX_BYTES;
    if (this.unfoldedSince === undefined) {
      this.unfoldedSince = performance.now();
      this.flushTimer = setTimeout(() => this.compactInBackground(), Math.min(this.settings.flushMs, 2 ** 31 - 1));
      this.flushTimer.unref();
    }
    if (due) this.compactInBackground();
  }

  /** A batch folded the journal: nothing of this process is left unfolded. */
  private folded(): void {
    this.settings.observer?.count("compactions");
    this.unfoldedSince = undefined;
    clearTimeout(this.flushTimer);
  }

  private compactInBackground(): void {
    if (this.closed) return;
    this.compactNow().catch((error: unknown) => {
      const code = error instanceof HubError ? error.code : "E_IO";
      this.settings.warn({ code, message: `folding the activity clock journal into ${this.path} failed: ${(error as Error).message}; retried later`, file: this.path });
      this.unfoldedSince = undefined; // the next record starts the timer again
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Twice: an append that was in flight during the first fold is folded by the second.
    for (let pass = 0; pass < 2; pass++) {
      await this.journal.settle();
      while (this.writer.flushing) await this.writer.flushing;
      if (!this.settings.readOnly && (pass === 0 || this.unfoldedSince !== undefined)) await this.compactNow();
    }
    this.closed = true;
    clearTimeout(this.flushTimer);
    this.journal.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new HubError("E_STORE_CLOSED", `store ${this.path} is closed`, { file: this.path });
  }

  /** The store, with the clock journal read first (see clock-journal.ts for why first). */
  private readFolded(): Promise<Map<string, Slot>> {
    this.journal.refresh();
    return this.reader.readSlots();
  }
}

/** Opens the sessions.json store of one agent (or an explicit path). Nothing is read until used. */
export function openSessionStore(options: SessionStoreOptions = {}): SessionStore {
  return new FileSessionStore({ ...options });
}
