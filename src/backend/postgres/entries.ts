/**
 * Session entries in Postgres: one row per key, the entry as JSON text (see schema.ts), and
 * a transaction-scoped advisory lock per key that every writer of a key takes first (so a
 * key that has no row yet is locked too; keys are locked in one order, so two writers of
 * several keys cannot deadlock). Readers take no lock.
 */
import { randomUUID } from "node:crypto";
import type { PoolClient } from "pg";
import { HubError, describeValue } from "../../errors.js";
import { assertEntry, isPlainObject, mergePatch, type SessionEntry, type SessionPatch } from "../shared/entry.js";
import { channelOf, chatTypeOf } from "../query.js";
import type { EntryDraft } from "../types.js";
import type { Ctx } from "./context.js";
import { named } from "./db.js";

type Query = Pick<PoolClient, "query">;

/** A copy of `entry`, validated as the entry of `key` (`E_INVALID_ENTRY`). */
export function copyEntry(key: string, entry: unknown): SessionEntry {
  if (!isPlainObject(entry)) throw new HubError("E_INVALID_ENTRY", `entry "${key}" must be a plain object, got ${describeValue(entry)}`);
  let copy: Record<string, unknown>;
  try {
    copy = JSON.parse(JSON.stringify(entry)) as Record<string, unknown>;
  } catch (error) {
    throw new HubError("E_INVALID_ENTRY", `entry "${key}" must be JSON-serializable: ${(error as Error).message}`, { cause: error });
  }
  assertEntry(copy, key);
  return copy;
}

/** The SQL expression that takes the advisory locks of the keys `$<first + 1>` (prefix `$<first>`), in one order. */
export function lockKeysSql(first = 1): string {
  return `(SELECT count(pg_advisory_xact_lock(hashtextextended($${first} || k, 0))) FROM (SELECT k FROM unnest($${first + 1}::text[]) AS u(k) ORDER BY k COLLATE "C") AS sorted)`;
}

export function lockKeysParams(ctx: Ctx, keys: readonly string[]): unknown[] {
  return [`${ctx.schema}\n${ctx.agentId}\n`, [...keys]];
}

/** Takes the advisory locks of `keys` (held until the transaction ends), in one order. */
export async function lockKeys(client: Query, ctx: Ctx, keys: readonly string[]): Promise<void> {
  await client.query(named(`SELECT ${lockKeysSql()}`, lockKeysParams(ctx, keys)));
}

/** The stored entries of `keys` (absent keys are missing from the map). */
export async function readEntries(client: Query, ctx: Ctx, keys: readonly string[]): Promise<Map<string, SessionEntry>> {
  const sql = `SELECT key, entry FROM ${ctx.schema}.sessions WHERE agent_id = $1 AND key = ANY($2::text[])`;
  const { rows } = await client.query<{ key: string; entry: string }>(named(sql, [ctx.agentId, [...keys]]));
  return new Map(rows.map((row) => [row.key, JSON.parse(row.entry) as SessionEntry]));
}

/**
 * The upsert of one entry as SQL whose parameters start at `$<first>` (agent, key, session id,
 * clock, channel, chat type, entry), so that it can be a part of a larger statement.
 */
export function entryUpsert(ctx: Ctx, key: string, entry: SessionEntry, first = 1): { sql: string; params: unknown[] } {
  const [a, k, s, u, c, t, e] = Array.from({ length: 7 }, (_, i) => `$${first + i}`);
  return {
    sql: `INSERT INTO ${ctx.schema}.sessions (agent_id, key, session_id, updated_at, channel, chat_type, entry) VALUES (${a}, ${k}, ${s}, ${u}, ${c}, ${t}, ${e})
     ON CONFLICT (agent_id, key) DO UPDATE SET session_id = EXCLUDED.session_id, updated_at = EXCLUDED.updated_at,
       channel = EXCLUDED.channel, chat_type = EXCLUDED.chat_type, entry = EXCLUDED.entry`,
    params: [ctx.agentId, key, entry.sessionId, entry.updatedAt, channelOf(key, entry) ?? null, chatTypeOf(key, entry) ?? null, JSON.stringify(entry)],
  };
}

export async function writeEntry(client: Query, ctx: Ctx, key: string, entry: SessionEntry): Promise<void> {
  const { sql, params } = entryUpsert(ctx, key, entry);
  await client.query(named(sql, params));
}

export async function deleteEntries(client: Query, ctx: Ctx, keys: readonly string[]): Promise<void> {
  await client.query(`DELETE FROM ${ctx.schema}.sessions WHERE agent_id = $1 AND key = ANY($2::text[])`, [ctx.agentId, [...keys]]);
}

/** The draft of `update(keys, fn)` over the locked entries; `changes` collects what to write (null: delete). */
export function makeDraft(keys: readonly string[], state: Map<string, SessionEntry>, changes: Map<string, SessionEntry | null>, now: () => number): EntryDraft {
  const check = (key: string) => {
    if (!keys.includes(key)) {
      const named = keys.map((k) => JSON.stringify(k)).join(", ");
      throw new HubError("E_INVALID_ARGUMENT", `update(keys, fn) may only touch the keys it names (${named}), got ${describeValue(key)}`);
    }
  };
  const current = (key: string) => (changes.has(key) ? (changes.get(key) ?? undefined) : state.get(key));
  const set = (key: string, entry: unknown) => {
    const copy = copyEntry(key, entry);
    changes.set(key, copy);
    return copyEntry(key, copy);
  };
  return {
    get(key) {
      check(key);
      const entry = current(key);
      return entry === undefined ? undefined : copyEntry(key, entry);
    },
    set(key, entry) {
      check(key);
      return set(key, entry);
    },
    patch(key, patch: SessionPatch) {
      check(key);
      if (!isPlainObject(patch)) throw new HubError("E_INVALID_ARGUMENT", `patch for "${key}" must be a plain object, got ${describeValue(patch)}`);
      return set(key, mergePatch(current(key) ?? { sessionId: randomUUID(), updatedAt: now() }, patch));
    },
    delete(key) {
      check(key);
      const existed = current(key) !== undefined;
      changes.set(key, null);
      return existed;
    },
  };
}

/** Runs `fn` on a draft of the locked `keys` and writes what it changed, in the caller's transaction. */
export async function updateIn<T>(client: Query, ctx: Ctx, keys: readonly string[], fn: (draft: EntryDraft) => T): Promise<T> {
  await lockKeys(client, ctx, keys);
  const state = await readEntries(client, ctx, keys);
  const changes = new Map<string, SessionEntry | null>();
  const value = fn(makeDraft(keys, state, changes, ctx.now));
  const gone = [...changes].filter(([, entry]) => entry === null).map(([key]) => key);
  if (gone.length > 0) await deleteEntries(client, ctx, gone);
  for (const [key, entry] of changes) if (entry !== null) await writeEntry(client, ctx, key, entry);
  return value;
}
