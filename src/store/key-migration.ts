/**
 * Moves a session stored under a legacy spelling of its key (`group:<id>`, `:direct:`,
 * unencoded or differently-cased ids) to the canonical key (SPEC 3.1).
 */
import { sessionKeyAliases } from "../keys/canonical.js";
import { assertKey, type StoreDraft } from "./draft.js";
import type { SessionEntry } from "./entry.js";
import type { SessionStore } from "./session-store.js";

export interface KeyMigrationResult {
  /** The canonical key (as given). */
  key: string;
  /** The legacy keys that were removed, in alias order; empty when nothing moved. */
  migratedFrom: string[];
}

/** Inside the write: the newest entry among canonical + aliases moves to the canonical key. */
function migrateInDraft(draft: StoreDraft, key: string, aliases: readonly string[]): KeyMigrationResult {
  let winner: SessionEntry | undefined = draft.get(key);
  const migratedFrom: string[] = [];
  for (const alias of aliases) {
    const entry = draft.get(alias);
    if (entry === undefined) continue;
    migratedFrom.push(alias);
    // Ties keep the canonical entry (or the earlier alias).
    if (winner === undefined || entry.updatedAt > winner.updatedAt) winner = entry;
  }
  if (winner === undefined || migratedFrom.length === 0) return { key, migratedFrom: [] };
  draft.set(key, winner);
  for (const alias of migratedFrom) draft.delete(alias);
  return { key, migratedFrom };
}

/**
 * Makes sure the session of `canonicalKey` lives under that key. When the store holds it
 * under legacy aliases (see `sessionKeyAliases`), the entry with the newest `updatedAt` among
 * the canonical key and its aliases is stored under the canonical key and every alias is
 * removed, in one write. The entry moves as it is (same `sessionId`, transcript untouched);
 * the transcripts of removed entries stay on disk. Cheap when there is nothing to migrate:
 * one cached read, no write. Resolves once the move is on disk.
 */
export async function migrateSessionKey(store: SessionStore, canonicalKey: string): Promise<KeyMigrationResult> {
  assertKey(canonicalKey, "canonicalKey");
  const aliases = sessionKeyAliases(canonicalKey);
  if (aliases.length === 0) return { key: canonicalKey, migratedFrom: [] };
  const found = await store.getMany(aliases);
  if (found.every((entry) => entry === undefined)) return { key: canonicalKey, migratedFrom: [] };
  // Re-checked inside the write: another process may have migrated meanwhile.
  return store.mutate((draft) => migrateInDraft(draft, canonicalKey, aliases));
}
