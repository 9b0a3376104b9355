/**
 * A one-shot, read-only snapshot of a store for a listing (`hub sessions`): the rows the
 * store's `list` gives, in the order every backend lists (newest activity first, then key),
 * without its per-entry deep copies. The snapshot parses the file itself and shares that parse
 * with no cache, so its entries are the caller's: only an entry whose clock the journal moves
 * is copied (shallowly), the stored one stays as it was read. At 10k entries the copies were
 * a tenth of the listing's run time. It loads neither the backend's other modules nor the lock,
 * and reads the file synchronously (nothing else waits on a one-shot reader's event loop).
 */
import { ClockJournal } from "../journal/clock-journal.js";
import { compareRows } from "../../query.js";
import type { SessionRow } from "../../types.js";
import { StoreReader } from "./store-reader.js";
import { resolveSettings } from "./store-settings.js";
import type { SessionStoreOptions } from "./store-types.js";

export interface StoreSnapshot {
  /** Absolute path of the sessions.json read. */
  path: string;
  agentId: string;
  /** Every valid entry, its `updatedAt` the newest of the stored value and the journal's. */
  sessions: SessionRow[];
}

/**
 * Reads the store once, read-only: a corrupt file throws `E_CORRUPT_STORE` (nothing is
 * recovered), invalid entries are left out with a warning, as for `list`.
 */
export async function readStoreSnapshot(options: SessionStoreOptions): Promise<StoreSnapshot> {
  const settings = resolveSettings({ ...options, readOnly: true });
  const journal = new ClockJournal(settings.path, false);
  try {
    // The journal first, then the store (see clock-journal.ts: whichever step of a
    // compaction this meets, every record is in one of the files read).
    journal.refresh();
    const slots = await new StoreReader(settings, { diskReads: 0 }, { syncRead: true }).readSlots();
    const sessions: SessionRow[] = [];
    const journaled = journal.pending; // else no entry needs a look-up
    // forEach, not for-of with destructuring: cheaper in a process too short to optimize it.
    slots.forEach(({ entry, invalid }, key) => {
      if (invalid !== undefined) return;
      const clock = journaled ? journal.latest(key, entry.sessionId) : undefined;
      sessions.push({ key, entry: clock !== undefined && clock > entry.updatedAt ? { ...entry, updatedAt: clock } : entry });
    });
    return { path: settings.path, agentId: settings.agentId, sessions: sessions.sort(compareRows) };
  } finally {
    journal.close();
  }
}
