/**
 * Run leases in Postgres (see `../run-lease.ts`): a row per held conversation in
 * `run_leases`, with an expiry on the database's clock. Taking a lease is one
 * `INSERT … ON CONFLICT DO UPDATE … WHERE expired`: of concurrent takers exactly one gets a
 * row back. The holder renews it every `HEARTBEAT_MS`; the renewal also reads the
 * `interrupted` flag that `interruptRun` sets, and finds out when the lease was lost (a
 * holder that stopped renewing for `LEASE_TTL_MS` is taken over). A replica that dies
 * leaves its lease to expire: the conversation waits at most `LEASE_TTL_MS`.
 */
import { randomUUID } from "node:crypto";
import { abortLease, heldLease, type RunLease } from "../run-lease.js";
import type { Ctx } from "./context.js";

/** A lease not renewed for this long is expired (ms). */
export const LEASE_TTL_MS = 15_000;
/** How often a holder renews its lease and looks for an interrupt (ms). */
export const HEARTBEAT_MS = 500;

const ttl = `make_interval(secs => ${LEASE_TTL_MS / 1000})`;

/** Renews the lease; what the holder learns: still held, interrupted, or lost. */
async function heartbeat(ctx: Ctx, key: string, token: string): Promise<"held" | "interrupted" | "lost"> {
  const rows = await ctx.db.query<{ interrupted: boolean }>(
    `UPDATE ${ctx.schema}.run_leases SET expires_at = clock_timestamp() + ${ttl}
     WHERE agent_id = $1 AND key = $2 AND token = $3 RETURNING interrupted`,
    [ctx.agentId, key, token],
  );
  if (rows.length === 0) return "lost";
  return rows[0]?.interrupted === true ? "interrupted" : "held";
}

export async function tryPostgresRun(ctx: Ctx, key: string): Promise<RunLease | undefined> {
  const token = randomUUID();
  const rows = await ctx.db.query(
    `INSERT INTO ${ctx.schema}.run_leases AS l (agent_id, key, token, expires_at) VALUES ($1, $2, $3, clock_timestamp() + ${ttl})
     ON CONFLICT (agent_id, key) DO UPDATE SET token = EXCLUDED.token, expires_at = EXCLUDED.expires_at, interrupted = false
     WHERE l.expires_at < clock_timestamp() RETURNING token`,
    [ctx.agentId, key, token],
  );
  if (rows.length === 0) return undefined;
  const controller = new AbortController();
  const beat = async () => {
    const state = await heartbeat(ctx, key, token);
    if (state === "lost") abortLease(controller, "lost", `the run lease of ${key} expired and was taken over`);
    if (state === "interrupted") abortLease(controller, "interrupted", `the run of ${key} was interrupted`);
  };
  // A failed renewal (the database briefly unreachable) is retried at the next tick; the
  // lease stays ours until it expires, which the next renewal finds out.
  return heldLease(key, controller, {
    everyMs: HEARTBEAT_MS,
    tick: beat,
    finish: async () => {
      await ctx.db.query(`DELETE FROM ${ctx.schema}.run_leases WHERE agent_id = $1 AND key = $2 AND token = $3`, [ctx.agentId, key, token]);
    },
  });
}

export async function interruptPostgresRun(ctx: Ctx, key: string): Promise<boolean> {
  const rows = await ctx.db.query(
    `UPDATE ${ctx.schema}.run_leases SET interrupted = true WHERE agent_id = $1 AND key = $2 AND expires_at >= clock_timestamp() RETURNING key`,
    [ctx.agentId, key],
  );
  return rows.length > 0;
}
