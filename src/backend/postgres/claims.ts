/**
 * Inbound claims in Postgres: one row per message identity with its expiry. A claim is one
 * `INSERT … ON CONFLICT DO UPDATE … WHERE expired`: of concurrent claims of one message
 * exactly one gets a row back; inside a turn's transaction the claim commits with the turn
 * or not at all.
 */
import type { PoolClient } from "pg";
import { HubError, describeValue } from "../../errors.js";
import { DEDUPE_PENDING_MS, DEFAULT_DEDUPE_TTL_MS, normalizeIdentity } from "../shared/inbound-identity.js";
import type { InboundIdentity } from "../types.js";
import type { Ctx } from "./context.js";

type Query = Pick<PoolClient, "query">;

/** The identity of a message as one string: the normalized channel, account, peer and id (as the file backend's records). */
export function identityOf(message: InboundIdentity): string {
  const { channel, accountId, peerId, messageId } = normalizeIdentity(message);
  return JSON.stringify([channel, accountId, peerId, messageId]);
}

export function ttlOf(ttlMs: unknown): number {
  const ttl = ttlMs ?? DEFAULT_DEDUPE_TTL_MS;
  if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl <= 0) throw new HubError("E_INVALID_ARGUMENT", `ttlMs must be a number of ms > 0, got ${describeValue(ttlMs)}`);
  return ttl;
}

/**
 * Claims `identity` (validated by `identityOf`) at `now` for `ttlMs`; true when this call won
 * it. `done` says whether the message is in a transcript once this claim commits: true inside
 * a turn (the claim and the append commit together), false for a bare `claim()`, whose caller
 * appends later. A turn's claim takes over one not done, older than `DEDUPE_PENDING_MS`,
 * whose message is in no transcript: its caller died between its claim and its append, so
 * the redelivery is processed (the file backend's rule). A bare claim never takes one over.
 */
export async function claimIn(client: Query, ctx: Ctx, identity: string, now: number, ttlMs: number, done: boolean): Promise<boolean> {
  const { sql, params } = claimSql(ctx, identity, now, ttlMs, done);
  const { rowCount } = await client.query(sql, params);
  return rowCount === 1;
}

/** The claim's `INSERT … ON CONFLICT` (see `claimIn`) with parameters from `$<first>`, to be a part of a larger statement. */
export function claimSql(ctx: Ctx, identity: string, now: number, ttlMs: number, done: boolean, first = 1): { sql: string; params: unknown[] } {
  const [channel, , , messageId] = JSON.parse(identity) as [string, string, string, string];
  const [agent, id, expires, at, isDone, pending, likeId, likeChannel] = Array.from({ length: 8 }, (_, i) => `$${first + i}`);
  return {
    sql: `INSERT INTO ${ctx.schema}.claims AS c (agent_id, identity, expires_at, claimed_at, done) VALUES (${agent}, ${id}, ${expires}, ${at}, ${isDone})
     ON CONFLICT (agent_id, identity) DO UPDATE SET expires_at = EXCLUDED.expires_at, claimed_at = EXCLUDED.claimed_at, done = EXCLUDED.done
     WHERE c.expires_at <= ${at}
        OR (${isDone} AND NOT c.done AND coalesce(c.claimed_at, 0) <= ${at} - ${pending} AND NOT EXISTS (
              SELECT 1 FROM ${ctx.schema}.messages m
              WHERE m.agent_id = ${agent} AND m.kind = 'message' AND m.line LIKE ${likeId} ESCAPE '\\' AND m.line LIKE ${likeChannel} ESCAPE '\\'))`,
    params: [ctx.agentId, identity, now + ttlMs, now, done, DEDUPE_PENDING_MS, likeText(`"gatewayMessageId":${JSON.stringify(messageId)}`), likeText(`"channel":${JSON.stringify(channel)}`)],
  };
}

/** `%<text>%` for LIKE, with the pattern characters of `text` escaped. */
function likeText(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function releaseIn(client: Query, ctx: Ctx, identity: string): Promise<boolean> {
  const { rowCount } = await client.query(`DELETE FROM ${ctx.schema}.claims WHERE agent_id = $1 AND identity = $2`, [ctx.agentId, identity]);
  return rowCount === 1;
}

export async function pruneClaimsIn(client: Query, ctx: Ctx, now: number): Promise<{ removed: number; kept: number }> {
  const { rows } = await client.query<{ removed: string; kept: string }>(
    `WITH gone AS (DELETE FROM ${ctx.schema}.claims WHERE agent_id = $1 AND expires_at <= $2 RETURNING 1)
     SELECT (SELECT count(*) FROM gone) AS removed, (SELECT count(*) FROM ${ctx.schema}.claims WHERE agent_id = $1 AND expires_at > $2) AS kept`,
    [ctx.agentId, now],
  );
  return { removed: Number(rows[0]?.removed ?? 0), kept: Number(rows[0]?.kept ?? 0) };
}
