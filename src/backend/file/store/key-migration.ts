/**
 * Moves a session stored under a legacy spelling of its key (`group:<id>`, `:direct:`,
 * unencoded or differently-cased ids, `agent:<a>:main` under a custom mainKey) to the
 * canonical key (SPEC 3.1). Two keys that can name different conversations are never merged.
 */
import { caseFoldedAliases, sessionKeyAliases, type AliasOptions } from "../../../keys/canonical.js";
import { parseSessionKey } from "../../../keys/parse.js";
import { BoundedMap } from "../../shared/bounded-map.js";
import { fingerprint } from "../fs/atomic.js";
import { assertKey, type StoreDraft } from "./draft.js";
import type { SessionEntry } from "../../shared/entry.js";
import type { SessionStore } from "./session-store.js";

export interface KeyMigrationResult {
  /** The canonical key (as given). */
  key: string;
  /** The legacy keys that were removed, in alias order; empty when nothing moved. */
  migratedFrom: string[];
}

export type KeyMigrationOptions = AliasOptions;

/**
 * Inside the write: the newest entry among `key` and `legacyKeys` is stored under `key`
 * (ties keep the entry already there, else the earlier legacy key); the legacy keys go.
 * `accepts` may refuse a legacy entry (it then stays where it is).
 */
export function mergeKeysInDraft(
  draft: StoreDraft,
  key: string,
  legacyKeys: readonly string[],
  accepts: (legacyKey: string, entry: SessionEntry) => boolean = () => true,
): KeyMigrationResult {
  let winner: SessionEntry | undefined = draft.get(key);
  const migratedFrom: string[] = [];
  for (const legacyKey of legacyKeys) {
    if (legacyKey === key) continue;
    const entry = draft.get(legacyKey);
    if (entry === undefined || !accepts(legacyKey, entry)) continue;
    migratedFrom.push(legacyKey);
    if (winner === undefined || entry.updatedAt > winner.updatedAt) winner = entry;
  }
  if (winner === undefined || migratedFrom.length === 0) return { key, migratedFrom: [] };
  draft.set(key, winner);
  for (const legacyKey of migratedFrom) draft.delete(legacyKey);
  return { key, migratedFrom };
}

function text(value: unknown): string {
  return typeof value === "string" || typeof value === "number" ? String(value).trim() : "";
}

/**
 * Whether an entry stored under a lower-cased key delivers to exactly `id` (and `threadId`):
 * clawdbot lower-cased the key but kept the real id in its delivery fields (`!Room:x`, or
 * prefixed as `room:!Room:x`). Without such proof the entry may be another conversation.
 */
export function deliversTo(entry: SessionEntry, id: string, threadId: string | undefined): boolean {
  const delivery = entry.deliveryContext ?? {};
  const origin = entry.origin ?? {};
  const targets = [delivery.to, entry.lastTo, origin.to, entry.groupId].map(text).filter((t) => t !== "");
  if (!targets.some((target) => target === id || target.endsWith(`:${id}`))) return false;
  if (threadId === undefined) return true;
  return text(delivery.threadId ?? entry.lastThreadId ?? origin.threadId) === threadId;
}

/**
 * Makes sure the session of `canonicalKey` lives under that key. When the store holds it
 * under legacy aliases (see `sessionKeyAliases`), the entry with the newest `updatedAt` among
 * the canonical key and its aliases is stored under the canonical key and every alias is
 * removed, in one write. On a case-sensitive channel (`caseSensitiveChannels`, default Matrix
 * and Signal) an entry under a lower-cased spelling moves only when its delivery target is
 * exactly this conversation's id (see `deliversTo`); otherwise it is another conversation and
 * stays. The entry moves as it is (same `sessionId`, transcript untouched); the transcripts
 * of removed entries stay on disk. Cheap when there is nothing to migrate: one cached read,
 * no write. Resolves once the move is on disk.
 */
export async function migrateSessionKey(store: SessionStore, canonicalKey: string, options: KeyMigrationOptions = {}): Promise<KeyMigrationResult> {
  assertKey(canonicalKey, "canonicalKey");
  const memo = settledOf(store);
  const memoKey = `${JSON.stringify(options.caseSensitiveChannels ?? null)}\u0000${canonicalKey}`;
  // Seen before the read: any write after it changes the fingerprint, so the memo stays safe.
  const seen = await fingerprint(store.path);
  if (seen !== null && memo.get(memoKey) === seen) return { key: canonicalKey, migratedFrom: [] };
  const result = await migrateNow(store, canonicalKey, options);
  if (result.migratedFrom.length === 0 && seen !== null) {
    memo.delete(memoKey); // the most recently checked key is kept longest
    memo.set(memoKey, seen);
  }
  return result;
}

async function migrateNow(store: SessionStore, canonicalKey: string, options: KeyMigrationOptions): Promise<KeyMigrationResult> {
  const exact = sessionKeyAliases(canonicalKey, options);
  const folded = caseFoldedAliases(canonicalKey, options);
  const aliases = [...exact, ...folded];
  if (aliases.length === 0) return { key: canonicalKey, migratedFrom: [] };
  const found = await store.getMany(aliases);
  if (found.every((entry) => entry === undefined)) return { key: canonicalKey, migratedFrom: [] };
  const parsed = parseSessionKey(canonicalKey);
  const foldedSet = new Set(folded);
  const accepts = (alias: string, entry: SessionEntry) => !foldedSet.has(alias) || deliversTo(entry, parsed?.peerId ?? "", parsed?.threadId);
  // Re-checked inside the write: another process may have migrated meanwhile.
  return store.mutate((draft) => mergeKeysInDraft(draft, canonicalKey, aliases, accepts));
}

/**
 * Per store, the keys found with nothing to migrate and the `sessions.json` they were found
 * in (its stat fingerprint): every received message asks, and until the file changes the
 * answer cannot (a legacy key appears only by a write of the file; the clock journal holds
 * clocks of existing entries, never keys). At most 4,096 keys per store.
 */
const settled = new WeakMap<SessionStore, BoundedMap<string, string>>();

function settledOf(store: SessionStore): BoundedMap<string, string> {
  let byKey = settled.get(store);
  if (byKey === undefined) settled.set(store, (byKey = new BoundedMap(4_096)));
  return byKey;
}
