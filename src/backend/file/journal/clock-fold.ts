/**
 * Folding the clock journal over the store: an entry's `updatedAt` is the newest of the
 * stored value and the journal's records of the same session. Records of another session
 * (the entry was reset or deleted since) are ignored; the clock never moves backwards.
 */
import type { ClockJournal } from "./clock-journal.js";
import { makeSlot, type Slot } from "../store/codec.js";
import type { Changes } from "../store/draft.js";
import type { SessionEntry } from "../../shared/entry.js";

/** A copy of the slot's entry with the journal folded in. */
export function foldedCopy(journal: ClockJournal, key: string, slot: Slot): SessionEntry {
  const entry = structuredClone(slot.entry);
  const t = journal.latest(key, entry.sessionId);
  if (t !== undefined && t > entry.updatedAt) entry.updatedAt = t;
  return entry;
}

/** The journal's newest time for the slot's session, when it is newer than the stored one. */
export function newerClock(journal: ClockJournal, key: string, slot: Slot | undefined): number | undefined {
  if (slot === undefined || slot.invalid) return undefined;
  const t = journal.latest(key, slot.entry.sessionId);
  return t !== undefined && t > slot.entry.updatedAt ? t : undefined;
}

/**
 * Adds to `changes` every entry whose clock the journal moves (on top of what `changes`
 * already holds for it); returns how many it added or moved.
 */
export function foldInto(journal: ClockJournal, slots: ReadonlyMap<string, Slot>, changes: Changes): number {
  let moved = 0;
  for (const { k, s, t } of journal.records()) {
    const changed = changes.get(k);
    if (changed === null) continue; // deleted in this batch
    const slot = changed ?? slots.get(k);
    if (slot === undefined || slot.invalid || slot.entry.sessionId !== s || t <= slot.entry.updatedAt) continue;
    changes.set(k, makeSlot(k, { ...slot.entry, updatedAt: t }));
    moved++;
  }
  return moved;
}
