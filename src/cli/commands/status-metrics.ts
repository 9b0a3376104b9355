/**
 * The metrics `hub status` shows: the snapshots that running (and closed) hubs published
 * beside the gateway registry (`<stateDir>/metrics/<agentId>/`, or on Postgres the gateways'
 * rows), each with its age, and their sum. A running hub publishes at least every `HEARTBEAT_INTERVALS` intervals: a snapshot
 * older than `STALE_INTERVALS` intervals is marked stale (the process is probably gone).
 */
import { readPublishedMetrics, type MetricsReading, type PublishedMetrics } from "../../backend/file/gateways/gateway-metrics.js";
import { normalizeAgentId } from "../../keys/normalize.js";
import { mergeMetrics, type LatencySummary, type MetricsSnapshot } from "../../metrics/metrics.js";
import { HEARTBEAT_INTERVALS } from "../../hub/metrics-publisher.js";
import type { Target } from "../command.js";
import { printable } from "../escape.js";
import { formatAge } from "../format.js";

/** A running hub's snapshot older than this many of its publish intervals is stale. */
const STALE_INTERVALS = HEARTBEAT_INTERVALS + 2;

export interface ShownPublisher {
  gatewayIds: string[];
  pid: number;
  host: string;
  state: "running" | "stale" | "closed";
  publishedAt: number;
  ageMs: number;
  metrics: MetricsSnapshot;
}

export interface ShownMetrics {
  /** One per hub that published, oldest file name first. */
  publishers: ShownPublisher[];
  /** The sum of every snapshot shown (counters add, histograms merge). */
  total: MetricsSnapshot;
  /** Files in the metrics directory (rows on Postgres) that are not snapshots. */
  invalid: string[];
}

function shownPublisher(published: PublishedMetrics, now: number): ShownPublisher {
  const ageMs = Math.max(0, now - published.state.at);
  const state = published.closed ? "closed" : ageMs > STALE_INTERVALS * published.intervalMs ? "stale" : "running";
  return { gatewayIds: published.gatewayIds, pid: published.pid, host: published.host, state, publishedAt: published.state.at, ageMs, metrics: mergeMetrics([published.state]) };
}

/** The metrics of `backend` when it keeps them (Postgres), else those published under the target's state dir. */
export async function metricsOf(target: Target, now: number, backend?: object): Promise<ShownMetrics> {
  const reading = backend !== undefined && typeof (backend as Partial<MetricsReading>).readPublishedMetrics === "function";
  const { snapshots, invalid } = reading
    ? await (backend as MetricsReading).readPublishedMetrics()
    : await readPublishedMetrics(target.stateDir, normalizeAgentId(target.agentId));
  return { publishers: snapshots.map((s) => shownPublisher(s, now)), total: mergeMetrics(snapshots.map((s) => s.state)), invalid };
}

function age(ms: number): string {
  return ms < 90_000 ? `${Math.round(ms / 1000)}s ago` : formatAge(ms);
}

function latency(l: LatencySummary | undefined): string {
  if (l === undefined || l.count === 0) return "-";
  return `p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms (${l.count})`;
}

/** The lines of the Metrics section. */
export function metricsLines(m: ShownMetrics): string[] {
  if (m.publishers.length === 0) return ["Metrics:      none published (a hub publishes once it registers a gateway)"];
  const c = m.total.counters;
  const resets = Object.entries(m.total.resets).filter(([, n]) => n > 0);
  const resetText = resets.length === 0 ? "0 resets" : `${resets.reduce((sum, [, n]) => sum + n, 0)} resets (${resets.map(([reason, n]) => `${printable(reason)} ${n}`).join(", ")})`;
  const lines = [
    `Metrics:      ${c.messagesReceived ?? 0} received, ${c.duplicates ?? 0} duplicates, ${resetText}, ${c.repliesSent ?? 0} replies sent, ${c.repliesSuppressed ?? 0} suppressed, ${c.compactions ?? 0} compactions`,
    `  append:     ${latency(m.total.latencies.transcriptAppend)}`,
    `  store write: ${latency(m.total.latencies.storeWrite)}`,
    `  lock wait:  ${latency(m.total.latencies.lockWait)}`,
  ];
  for (const p of m.publishers) {
    const state = p.state === "running" ? `published ${age(p.ageMs)}` : p.state === "closed" ? `closed, last published ${age(p.ageMs)}` : `stale: last published ${age(p.ageMs)}`;
    lines.push(`  gateway ${p.gatewayIds.map(printable).join(", ")} (pid ${p.pid} on ${printable(p.host)}): ${state}, ${p.metrics.counters.messagesReceived ?? 0} received`);
  }
  if (m.invalid.length > 0) lines.push(`  ignored ${m.invalid.length} file(s) that are not snapshots: ${m.invalid.map(printable).join(", ")}`);
  return lines;
}
