/**
 * Writing sessions.json: mutations are queued and coalesced into one read-modify-write per
 * batch under the cross-process lock, with the clock journal folded in, and written
 * atomically. Each caller learns its own outcome.
 */
import { statSync } from "node:fs";
import { HubError } from "../../../errors.js";
import { fingerprint, tooLarge, writeFileAtomic } from "../fs/atomic.js";
import type { ClockJournal } from "../journal/clock-journal.js";
import { foldInto } from "../journal/clock-fold.js";
import type { HeldLock } from "../lock/lock.js";
import { snapshotBackup } from "./backup.js";
import { fillBytesInChunks, serializeStore, type Slot } from "./codec.js";
import { DraftLayer, applyChanges, type Changes, type StoreDraft } from "./draft.js";
import { keepReplacedInvalid } from "./invalid-entries.js";
import { withStoreLock, type StoreReader } from "./store-reader.js";
import type { StoreSettings } from "./store-settings.js";

export interface Pending {
  run: (draft: StoreDraft) => unknown;
  /** Only to fold the clock journal (its value: whether there was anything to fold). */
  compact?: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class StoreWriter {
  private queue: Pending[] = [];
  /** Set while batches are being written. */
  flushing: Promise<void> | undefined;

  constructor(
    private readonly settings: StoreSettings,
    private readonly reader: StoreReader,
    private readonly journal: ClockJournal,
    private readonly stats: { writes: number },
    /** Called after a batch folded the journal into the store. */
    private readonly onFolded: () => void,
  ) {}

  /** Queues `op` for the next batch. */
  enqueue(op: Pending): void {
    this.queue.push(op);
    this.scheduleFlush();
  }

  /**
   * Whether the entry at `key` holds `sessionId` (and, with `needsFile`, names its transcript)
   * once no compaction is under way: checked under the lock, nothing written. False as well
   * when a compaction crashed (its set-aside journal is still there): the caller's locked
   * write then folds it.
   */
  holdsOnceCompacted(key: string, sessionId: string, needsFile: boolean): Promise<boolean> {
    return withStoreLock(this.settings, async () => {
      if (statSync(this.journal.rotated, { throwIfNoEntry: false }) !== undefined) return false;
      const slot = (await this.reader.loadLocked()).get(key);
      if (slot === undefined || slot.invalid || slot.entry.sessionId !== sessionId) return false;
      return !needsFile || slot.entry.sessionFile !== undefined;
    });
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
      const fp = await fingerprint(this.settings.path);
      await fillBytesInChunks(this.reader.cachedAt(fp) ?? (await this.reader.readSlots()));
      await withStoreLock(this.settings, async (lock) => {
        const slots = await this.reader.loadLocked();
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
        if (folding) this.onFolded();
      });
    } catch (error) {
      this.reader.forget();
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

  private async write(slots: Map<string, Slot>, changes: Changes, lock: HeldLock): Promise<void> {
    const { path: file, maxBytes, durable, now, warn } = this.settings;
    await fillBytesInChunks(slots);
    const data = serializeStore(slots, changes);
    if (data.length > maxBytes) throw tooLarge(file, data.length, maxBytes);
    lock.assertOwned();
    const displaced = await keepReplacedInvalid(file, slots, changes, { now: now(), durable });
    if (displaced) {
      const message = `${file}: invalid entries ${displaced.keys.map((k) => JSON.stringify(k)).join(", ")} were replaced; their bytes are kept in ${displaced.file}`;
      warn({ code: "E_INVALID_ENTRY", message, file: displaced.file });
    }
    const started = performance.now();
    await snapshotBackup(file);
    // Checked again right before the rename: a holder paused past staleMs must not overwrite its successor.
    await writeFileAtomic(file, data, { durable, beforeRename: () => lock.assertOwned() });
    this.settings.observer?.observe("storeWrite", performance.now() - started);
    applyChanges(slots, changes);
    this.reader.adopt(slots, await fingerprint(file));
    this.stats.writes++;
  }
}
