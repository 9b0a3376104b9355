/**
 * One turn on Postgres, one transaction: the claim (`INSERT … ON CONFLICT`), the key's lock
 * and entry, the decision, the append with its per-session sequence and parent chain, and
 * the activity clock. A failed turn rolls back, claim included, so a redelivery is processed.
 */
import type { PoolClient } from "pg";
import { HubError, describeValue } from "../../errors.js";
import type { AppendMessageInput, SessionEntry, StoredMessage, TurnDecision, TurnInput, TurnResult } from "../types.js";
import { claimSql, identityOf, ttlOf } from "./claims.js";
import type { Ctx } from "./context.js";
import { named } from "./db.js";
import { copyEntry, lockKeys, lockKeysParams, lockKeysSql, readEntries, writeEntry } from "./entries.js";
import { keyList } from "../shared/arguments.js";
import { appendIn, prepareAll } from "./transcripts.js";

type Query = Pick<PoolClient, "query">;

function assertMessages(messages: unknown): asserts messages is readonly AppendMessageInput[] {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new HubError("E_INVALID_ARGUMENT", `turn messages must be a non-empty array (or a function returning one), got ${describeValue(messages)}`);
  }
}

export function assertTurn<T>(input: TurnInput<T>): void {
  if (input === null || typeof input !== "object") throw new HubError("E_INVALID_ARGUMENT", `turn input must be an object, got ${describeValue(input)}`);
  keyList(input.key);
  if (typeof input.decide !== "function") throw new HubError("E_INVALID_ARGUMENT", `turn decide must be a function, got ${describeValue(input.decide)}`);
  if (typeof input.messages !== "function") assertMessages(input.messages);
  if (input.claim !== undefined) identityOf(input.claim.identity);
}

function checked<T>(decision: TurnDecision<T>): TurnDecision<T> {
  if (decision === null || typeof decision !== "object" || typeof (decision as { then?: unknown }).then === "function") {
    throw new HubError("E_INVALID_ARGUMENT", `turn decide must return { entry?, value } synchronously, got ${describeValue(decision)}`);
  }
  return decision;
}

/**
 * Appends to session `sessionId` of `key` and moves its clock (the caller holds the key's
 * lock and passes the entry it read, `dirty` when the caller changed it and it is not written
 * yet): creates the entry when absent; never moves a clock backwards; leaves an entry that
 * holds another session alone. The entry is written in the append's last statement. Resolves
 * with the messages and the entry after the append.
 */
export async function appendLocked(
  client: Query,
  ctx: Ctx,
  key: string,
  sessionId: string,
  entry: SessionEntry | undefined,
  messages: unknown,
  dirty = false,
): Promise<{ messages: StoredMessage[]; entry: SessionEntry | undefined }> {
  const now = ctx.now();
  const prepared = prepareAll(messages, now);
  const newest = Math.max(...prepared.map((m) => m.body.timestamp as number));
  let next = entry;
  if (entry === undefined) next = copyEntry(key, { sessionId, updatedAt: Math.max(now, newest) });
  else if (entry.sessionId === sessionId && prepared.length > 0 && newest > entry.updatedAt) next = { ...entry, updatedAt: newest };
  const write = next !== undefined && (dirty || next !== entry) ? next : undefined;
  const stored = await appendIn(client, ctx, key, sessionId, prepared, now, write);
  if (prepared.length === 0 && write !== undefined) await writeEntry(client, ctx, key, write);
  return { messages: stored, entry: next };
}

/** The claim of an inbound turn and the key's lock, in one statement: true when this turn won the claim. */
async function claimAndLock(client: Query, ctx: Ctx, key: string, claim: NonNullable<TurnInput<unknown>["claim"]>): Promise<boolean> {
  const { sql, params } = claimSql(ctx, identityOf(claim.identity), ctx.now(), ttlOf(claim.ttlMs), true, 3);
  const text = `WITH c AS (${sql} RETURNING 1) SELECT (SELECT count(*) FROM c) AS won, ${lockKeysSql(1)} AS locked`;
  const { rows } = await client.query<{ won: string }>(named(text, [...lockKeysParams(ctx, [key]), ...params]));
  return Number(rows[0]?.won) === 1;
}

export async function turnIn<T>(client: Query, ctx: Ctx, input: TurnInput<T>): Promise<TurnResult<T>> {
  const { key, claim } = input;
  // A duplicate takes the key's lock too (until its empty transaction ends): one round trip less for every other turn.
  if (claim !== undefined && !(await claimAndLock(client, ctx, key, claim))) return { duplicate: true };
  if (claim === undefined) await lockKeys(client, ctx, [key]);
  const current = (await readEntries(client, ctx, [key])).get(key);
  const decision = checked(input.decide(current === undefined ? undefined : copyEntry(key, current)));
  const entry = decision.entry === undefined ? current : copyEntry(key, decision.entry);
  if (entry === undefined) throw new HubError("E_NOT_FOUND", `no session "${key}" in ${ctx.location}, and the turn created none`);
  const list = typeof input.messages === "function" ? input.messages(copyEntry(key, entry), decision.value) : input.messages;
  assertMessages(list);
  const appended = await appendLocked(client, ctx, key, entry.sessionId, entry, list, decision.entry !== undefined);
  return { duplicate: false, key, entry: appended.entry ?? entry, messages: appended.messages, value: decision.value };
}
