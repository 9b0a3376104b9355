/**
 * A metrics snapshot in the Prometheus text exposition format (0.0.4): counters as
 * `session_hub_<name>_total`, resets as `session_hub_resets_total{reason="..."}`, latencies
 * as summaries in seconds (`session_hub_<name>_seconds{quantile="0.5"}`, `_sum`, `_count`).
 * Pure.
 */
import type { MetricsSnapshot } from "./metrics.js";

/** `messagesReceived` → `messages_received`. */
function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const seconds = (ms: number) => String(ms / 1000);

/** Label values escaped as the format asks (backslash, quote, newline). */
const labelValue = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export function renderPrometheus(snapshot: MetricsSnapshot, prefix = "session_hub"): string {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(snapshot.counters)) {
    const metric = `${prefix}_${snake(name)}_total`;
    lines.push(`# TYPE ${metric} counter`, `${metric} ${value}`);
  }
  const resets = `${prefix}_resets_total`;
  lines.push(`# HELP ${resets} Sessions started, by reason.`, `# TYPE ${resets} counter`);
  for (const [reason, value] of Object.entries(snapshot.resets)) lines.push(`${resets}{reason="${labelValue(reason)}"} ${value}`);
  for (const [name, summary] of Object.entries(snapshot.latencies)) {
    const metric = `${prefix}_${snake(name)}_seconds`;
    lines.push(`# TYPE ${metric} summary`);
    for (const [q, ms] of [["0.5", summary.p50], ["0.95", summary.p95], ["0.99", summary.p99]] as const) lines.push(`${metric}{quantile="${q}"} ${seconds(ms)}`);
    lines.push(`${metric}_sum ${seconds(summary.sumMs)}`, `${metric}_count ${summary.count}`);
  }
  return `${lines.join("\n")}\n`;
}
