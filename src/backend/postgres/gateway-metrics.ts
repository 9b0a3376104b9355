/**
 * Published metrics snapshots on Postgres: kept on the gateway's row of the registry (in its
 * record, under `metrics`, so no migration is needed), read back by `hub status --database`.
 * `listGateways` leaves the field out.
 */
import { isPublished, type PublishedMetrics } from "../file/gateways/gateway-metrics.js";
import { HubError } from "../../errors.js";
import type { Ctx } from "./context.js";

/** Writes the snapshot on the row of its first gateway; `E_NOT_FOUND` when that gateway is not registered. */
export async function publishMetricsIn(ctx: Ctx, published: PublishedMetrics): Promise<void> {
  const gatewayId = published.gatewayIds[0];
  if (gatewayId === undefined) throw new HubError("E_INVALID_ARGUMENT", "published metrics need a gateway id");
  const rows = await ctx.db.query(
    `UPDATE ${ctx.schema}.gateways SET record = jsonb_set(record::jsonb, '{metrics}', $2::jsonb)::text WHERE gateway_id = $1 RETURNING 1`,
    [gatewayId, JSON.stringify(published)],
  );
  if (rows.length === 0) throw new HubError("E_NOT_FOUND", `no gateway "${gatewayId}" in ${ctx.location}`);
}

/** Every snapshot of `agentId` on the registry's rows; a malformed one is reported in `invalid` (by gateway id). */
export async function readPublishedMetricsIn(ctx: Ctx, agentId: string): Promise<{ snapshots: PublishedMetrics[]; invalid: string[] }> {
  const rows = await ctx.db.query<{ gateway_id: string; metrics: string }>(
    `SELECT gateway_id, (record::jsonb -> 'metrics')::text AS metrics FROM ${ctx.schema}.gateways WHERE record::jsonb ? 'metrics' ORDER BY gateway_id`,
  );
  const snapshots: PublishedMetrics[] = [];
  const invalid: string[] = [];
  for (const row of rows) {
    const data: unknown = JSON.parse(row.metrics);
    if (!isPublished(data)) invalid.push(`gateway ${row.gateway_id}`);
    else if (data.agentId === agentId) snapshots.push(data);
  }
  return { snapshots, invalid };
}
