/**
 * The file backend's modules that only some operations need, loaded on first use: a process
 * that only reads entries (`hub sessions`, `hub status`) loads none of them and starts
 * faster. Once loaded, an operation pays one already-resolved await.
 */
import type { TurnClaimOptions } from "./turn.js";

export type { TurnClaimOptions };

async function loadMessages() {
  const [turn, dedupe, append, read, lease, fds] = await Promise.all([
    import("./turn.js"),
    import("./dedupe/dedupe.js"),
    import("./transcripts/transcript-append.js"),
    import("./transcripts/transcript-read.js"),
    import("./lock/lease.js"),
    import("./transcripts/kept-fds.js"),
  ]);
  const { claimInbound, pruneInbound, releaseInbound, settleInboundPruning } = dedupe;
  const { appendMessage } = append;
  return { runTurn: turn.runTurn, claimInbound, pruneInbound, releaseInbound, settleInboundPruning, appendMessage, readMessages: read.readMessages, releaseLeases: lease.releaseLeases, closeKeptFds: fds.closeKeptFds };
}

async function loadMaintenance() {
  const [remove, prune, migrate] = await Promise.all([import("../../lifecycle/delete-sessions.js"), import("../../lifecycle/maintenance.js"), import("./store/key-migration.js")]);
  return { deleteSessions: remove.deleteSessions, pruneSessions: prune.pruneSessions, migrateSessionKey: migrate.migrateSessionKey };
}

let messages: ReturnType<typeof loadMessages> | undefined;
let maintenance: ReturnType<typeof loadMaintenance> | undefined;

/** Turns, transcripts and inbound de-duplication. */
export function messageModules(): ReturnType<typeof loadMessages> {
  return (messages ??= loadMessages());
}

/** Whether `messageModules` was ever asked for (else no dedupe pruning can be running). */
export function messageModulesLoaded(): boolean {
  return messages !== undefined;
}

/** Delete, prune and key migration. */
export function maintenanceModules(): ReturnType<typeof loadMaintenance> {
  return (maintenance ??= loadMaintenance());
}

/** The gateway registry (`gateways.json`). */
export async function gatewayModule(): Promise<typeof import("./gateways/gateways.js")> {
  return import("./gateways/gateways.js");
}

/** Per-conversation run leases (`runs/`). */
export async function runModule(): Promise<typeof import("./runs/run-lease.js")> {
  return import("./runs/run-lease.js");
}

/** The metrics snapshots a hub publishes beside the gateway registry. */
export async function gatewayMetricsModule(): Promise<typeof import("./gateways/gateway-metrics.js")> {
  return import("./gateways/gateway-metrics.js");
}
