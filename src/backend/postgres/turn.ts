/**
 * One turn on Postgres, one transaction: the claim (`INSERT … ON CONFLICT`), the key's lock
 * and entry, the decision, the append with its per-session sequence and parent chain, and
 * the activity clock. A failed turn rolls back, claim included, so a redelivery is processed.
 */
import type { PoolClient } from "pg";
import { HubError, describeValue } from "../../errors.js";
import type { AppendMessageInput, SessionEntry, StoredMessage, TurnDecision, TurnInput, TurnResult } from "../types.js";
import { claimIn, identityOf, ttlOf } from "./claims.js";
import type { Ctx } from "./context.js";
import { copyEntry, lockKeys, readEntries, writeEntry } from "./entries.js";
import { keyList } from "../file/draft.js";
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
 * lock and passes the entry it read): creates the entry when absent; never moves a clock
 * backwards; leaves an entry that holds another session alone. Resolves with the messages and
 * the entry after the append.
 */
export async function appendLocked(
  client: Query,
  ctx: Ctx,
  key: string,
  sessionId: string,
  entry: SessionEntry | undefined,
  messages: unknown,
): Promise<{ messages: StoredMessage[]; entry: SessionEntry | undefined }> {
  const now = ctx.now();
  const prepared = prepareAll(messages, now);
  const stored = await appendIn(client, ctx, key, sessionId, prepared, now);
  const newest = Math.max(...stored.map((m) => m.timestamp));
  if (entry === undefined) {
    const created = copyEntry(key, { sessionId, updatedAt: Math.max(now, newest) });
    await writeEntry(client, ctx, key, created);
    return { messages: stored, entry: created };
  }
  if (entry.sessionId === sessionId && stored.length > 0 && newest > entry.updatedAt) {
    const moved = { ...entry, updatedAt: newest };
    await writeEntry(client, ctx, key, moved);
    return { messages: stored, entry: moved };
  }
  return { messages: stored, entry };
}

export async function turnIn<T>(client: Query, ctx: Ctx, input: TurnInput<T>): Promise<TurnResult<T>> {
  const { key, claim } = input;
  if (claim !== undefined && !(await claimIn(client, ctx, identityOf(claim.identity), ctx.now(), ttlOf(claim.ttlMs), true))) return { duplicate: true };
  await lockKeys(client, ctx, [key]);
  const current = (await readEntries(client, ctx, [key])).get(key);
  const decision = checked(input.decide(current === undefined ? undefined : copyEntry(key, current)));
  let entry = current;
  if (decision.entry !== undefined) {
    entry = copyEntry(key, decision.entry);
    await writeEntry(client, ctx, key, entry);
  }
  if (entry === undefined) throw new HubError("E_NOT_FOUND", `no session "${key}" in ${ctx.location}, and the turn created none`);
  const list = typeof input.messages === "function" ? input.messages(copyEntry(key, entry), decision.value) : input.messages;
  assertMessages(list);
  const appended = await appendLocked(client, ctx, key, entry.sessionId, entry, list);
  return { duplicate: false, key, entry: appended.entry ?? entry, messages: appended.messages, value: decision.value };
}
