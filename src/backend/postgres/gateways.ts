/** The gateway registry on Postgres: one row per gateway (shared by every agent, like gateways.json). */
import { HubError, describeValue } from "../../errors.js";
import type { GatewayInput, GatewayRecord } from "../types.js";
import type { Ctx } from "./context.js";

function assertInput(input: GatewayInput<unknown>): void {
  if (input === null || typeof input !== "object") throw new HubError("E_INVALID_ARGUMENT", `gateway must be an object, got ${describeValue(input)}`);
  for (const field of ["gatewayId", "name", "type"] as const) {
    if (typeof input[field] !== "string" || input[field].trim() === "") {
      throw new HubError("E_INVALID_ARGUMENT", `gateway ${field} must be a non-empty string, got ${describeValue(input[field])}`);
    }
  }
}

export async function registerGateway<C>(ctx: Ctx, input: GatewayInput<C>): Promise<GatewayRecord<C>> {
  assertInput(input);
  const at = ctx.now();
  const record: GatewayRecord<C> = {
    gatewayId: input.gatewayId,
    name: input.name,
    type: input.type,
    ...(input.config === undefined ? {} : { config: input.config }),
    active: true,
    registeredAt: at,
    updatedAt: at,
  };
  // A re-registration keeps the first registration time: the stored one wins in SQL.
  const rows = await ctx.db.query<{ registered_at: string }>(
    `INSERT INTO ${ctx.schema}.gateways AS g (gateway_id, registered_at, record) VALUES ($1, $2, $3)
     ON CONFLICT (gateway_id) DO UPDATE SET record = EXCLUDED.record RETURNING g.registered_at`,
    [input.gatewayId, at, JSON.stringify(record)],
  );
  record.registeredAt = Number(rows[0]?.registered_at ?? at);
  return JSON.parse(JSON.stringify(record)) as GatewayRecord<C>;
}

export async function removeGateway(ctx: Ctx, gatewayId: string): Promise<boolean> {
  const at = ctx.now();
  const rows = await ctx.db.query(
    `UPDATE ${ctx.schema}.gateways SET record = jsonb_set(jsonb_set(jsonb_set(record::jsonb, '{active}', 'false'), '{removedAt}', to_jsonb($2::bigint)), '{updatedAt}', to_jsonb($2::bigint))::text
     WHERE gateway_id = $1 AND (record::jsonb ->> 'active')::boolean RETURNING 1`,
    [gatewayId, at],
  );
  return rows.length > 0;
}

export async function listGateways<C>(ctx: Ctx, activeOnly: boolean): Promise<Array<GatewayRecord<C>>> {
  const rows = await ctx.db.query<{ registered_at: string; record: string }>(
    `SELECT registered_at, record FROM ${ctx.schema}.gateways ORDER BY registered_at, gateway_id`,
  );
  return rows
    .map((row) => {
      // `metrics` is a hub's published snapshot (gateway-metrics.ts), not part of the record.
      const { metrics: _metrics, ...record } = JSON.parse(row.record) as GatewayRecord<C> & { metrics?: unknown };
      return { ...record, registeredAt: Number(row.registered_at) };
    })
    .filter((record) => !activeOnly || record.active);
}
