/**
 * Whole-operation writes of the Postgres backend: delete, prune (SPEC 4.5, with the same
 * options and selection as the file backend), and the move of legacy keys to their canonical
 * spelling. Each runs in one transaction; transcripts of removed entries are archived in it,
 * except those a remaining entry still uses.
 */
import type { PoolClient } from "pg";
import { caseFoldedAliases, sessionKeyAliases } from "../../keys/canonical.js";
import { parseSessionKey } from "../../keys/parse.js";
import { settingsOf } from "../../lifecycle/maintenance.js";
import { selectPrunable } from "../../lifecycle/prune-select.js";
import { deliversTo, mergeKeysInDraft } from "../file/store/key-migration.js";
import type { StoreDraft } from "../file/store/draft.js";
import type { DeletedSession, KeyMigrationResult, PruneOptions, PruneReport, SessionEntry } from "../types.js";
import type { Ctx } from "./context.js";
import { deleteEntries, lockKeys, readEntries, writeEntry } from "./entries.js";
import { archiveIn } from "./transcripts.js";

type Query = Pick<PoolClient, "query">;

const sessionsOf = (entry: SessionEntry) => [entry.sessionId, ...(entry.previousSessionIds ?? [])];

/**
 * Of `sessionIds`, those no entry of the agent still uses once the removed `keys` are gone
 * (a dry run has not deleted them: they are left out here instead).
 */
async function unused(client: Query, ctx: Ctx, sessionIds: readonly string[], keys: readonly string[]): Promise<string[]> {
  if (sessionIds.length === 0) return [];
  const { rows } = await client.query<{ session_id: string; previous: string[] | null }>(
    `SELECT session_id, ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(entry::jsonb -> 'previousSessionIds') = 'array' THEN entry::jsonb -> 'previousSessionIds' ELSE '[]'::jsonb END)) AS previous
     FROM ${ctx.schema}.sessions WHERE agent_id = $1 AND NOT (key = ANY($3::text[])) AND (session_id = ANY($2::text[]) OR (entry::jsonb -> 'previousSessionIds') ?| $2::text[])`,
    [ctx.agentId, [...sessionIds], [...keys]],
  );
  const used = new Set(rows.flatMap((row) => [row.session_id, ...(row.previous ?? [])]));
  return [...new Set(sessionIds)].filter((id) => !used.has(id));
}

/** Archives the transcripts of removed entries that nothing else uses; resolves with the archive names per entry (a dry run: those it would archive). */
async function archiveRemoved(client: Query, ctx: Ctx, removed: ReadonlyArray<readonly [string, SessionEntry]>, now: number, dryRun: boolean): Promise<string[][]> {
  const ids = await unused(client, ctx, removed.flatMap(([, entry]) => sessionsOf(entry)), removed.map(([key]) => key));
  const archived = await archiveIn(client, ctx, ids, now, dryRun);
  return removed.map(([, entry]) => sessionsOf(entry).flatMap((id) => archived.get(id) ?? []));
}

export async function deleteIn(client: Query, ctx: Ctx, keys: readonly string[], dryRun: boolean): Promise<DeletedSession[]> {
  await lockKeys(client, ctx, keys);
  const found = await readEntries(client, ctx, keys);
  const removed = keys.flatMap((key) => (found.has(key) ? [[key, found.get(key) as SessionEntry] as const] : []));
  if (!dryRun) await deleteEntries(client, ctx, [...found.keys()]);
  const archived = await archiveRemoved(client, ctx, removed, ctx.now(), dryRun);
  return removed.map(([key, entry], i) => ({ key, sessionId: entry.sessionId, archived: archived[i] ?? [] }));
}

export async function pruneIn(client: Query, ctx: Ctx, options: PruneOptions): Promise<PruneReport> {
  const settings = settingsOf(ctx, options);
  const { rows } = await client.query<{ key: string; entry: string }>(`SELECT key, entry FROM ${ctx.schema}.sessions WHERE agent_id = $1 FOR UPDATE`, [ctx.agentId]);
  const selection = selectPrunable(
    rows.map((row) => [row.key, JSON.parse(row.entry) as SessionEntry] as const),
    settings,
  );
  const removedEntries = selection.removed.map(({ key, entry }) => [key, entry] as const);
  if (!settings.dryRun) await deleteEntries(client, ctx, removedEntries.map(([key]) => key));
  const archived = await archiveRemoved(client, ctx, removedEntries, settings.now, settings.dryRun);
  const archivesRemoved = await dropOldArchives(client, ctx, settings.now - settings.archiveRetentionMs, settings.dryRun);
  return {
    removed: selection.removed.map(({ key, entry, reason }, i) => ({ key, sessionId: entry.sessionId, reason, archived: archived[i] ?? [] })),
    kept: selection.kept.length,
    tempFilesRemoved: [],
    archivesRemoved,
    dryRun: settings.dryRun,
  };
}

/** Deletes archived messages older than `cutoff`, and the transcripts archived before it (a dry run: names them). */
async function dropOldArchives(client: Query, ctx: Ctx, cutoff: number, dryRun: boolean): Promise<string[]> {
  if (!dryRun) await client.query(`DELETE FROM ${ctx.schema}.messages WHERE agent_id = $1 AND archived_at < $2`, [ctx.agentId, cutoff]);
  const { rows } = await client.query<{ session_id: string }>(
    dryRun
      ? `SELECT session_id FROM ${ctx.schema}.transcripts WHERE agent_id = $1 AND archived_at < $2`
      : `DELETE FROM ${ctx.schema}.transcripts WHERE agent_id = $1 AND archived_at < $2 RETURNING session_id`,
    [ctx.agentId, cutoff],
  );
  return rows.map((row) => `${ctx.location}#${row.session_id}.jsonl (archived)`);
}

/** The aliases of `canonicalKey` that hold entries, or none (cheap: one read, no lock). */
export async function migrateKeysIn(client: Query, ctx: Ctx, canonicalKey: string): Promise<KeyMigrationResult> {
  const folded = caseFoldedAliases(canonicalKey);
  const aliases = [...sessionKeyAliases(canonicalKey), ...folded];
  if (aliases.length === 0) return { key: canonicalKey, migratedFrom: [] };
  const seen = await readEntries(client, ctx, aliases);
  if (seen.size === 0) return { key: canonicalKey, migratedFrom: [] };
  const keys = [canonicalKey, ...aliases];
  await lockKeys(client, ctx, keys);
  const state = await readEntries(client, ctx, keys);
  const parsed = parseSessionKey(canonicalKey);
  const foldedSet = new Set(folded);
  const accepts = (alias: string, entry: SessionEntry) => !foldedSet.has(alias) || deliversTo(entry, parsed?.peerId ?? "", parsed?.threadId);
  const gone: string[] = [];
  let moved: SessionEntry | undefined;
  // The merge rule of the file store, on the locked rows.
  const draft: Pick<StoreDraft, "get" | "set" | "delete"> = {
    get: (key) => state.get(key),
    set: (_key, entry) => (moved = entry),
    delete: (key) => (gone.push(key), true),
  };
  const result = mergeKeysInDraft(draft as StoreDraft, canonicalKey, aliases, accepts);
  if (moved !== undefined) await writeEntry(client, ctx, canonicalKey, moved);
  await deleteEntries(client, ctx, gone);
  return result;
}
