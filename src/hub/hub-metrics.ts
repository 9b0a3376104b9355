/**
 * The hub's side of the metrics: what the façade counts (messages received, duplicates, resets
 * by reason, replies sent and suppressed), `hub.metrics()` in JSON or Prometheus text, and the
 * publisher that makes them visible to `hub status` once a gateway is registered.
 */
import { isMetricsPublishing } from "../backend/file/gateways/gateway-metrics.js";
import type { Backend } from "../backend/types.js";
import { HubError, describeValue } from "../errors.js";
import { createMetrics, type Metrics, type MetricsSnapshot } from "../metrics/metrics.js";
import { renderPrometheus } from "../metrics/prometheus.js";
import type { StoreWarning } from "../backend/file/store/session-store.js";
import { MetricsPublisher } from "./metrics-publisher.js";
import type { MetricsFormat, ReceiveResult, ReplyResult } from "./types.js";

/** How often a hub with a registered gateway publishes its snapshot (ms), by default. */
export const DEFAULT_METRICS_PUBLISH_MS = 10_000;

export class HubMetrics {
  readonly metrics: Metrics;
  private readonly publisher: MetricsPublisher | undefined;

  constructor(options: { metrics?: Metrics | undefined; publishMs?: number | undefined; now: () => number; backend: Backend; warn: (warning: StoreWarning) => void }) {
    this.metrics = options.metrics ?? createMetrics({ now: options.now });
    const publishMs = options.publishMs ?? DEFAULT_METRICS_PUBLISH_MS;
    if (!(Number.isFinite(publishMs) && publishMs > 0)) {
      throw new HubError("E_INVALID_ARGUMENT", `options.metricsPublishMs must be a positive number of ms, got ${describeValue(publishMs)}`);
    }
    const backend = options.backend;
    if (isMetricsPublishing(backend)) this.publisher = new MetricsPublisher(this.metrics, backend, publishMs, options.warn);
  }

  received(result: ReceiveResult): ReceiveResult {
    if (result.duplicate) this.metrics.count("duplicates");
    else if (result.resetReason !== undefined) this.metrics.reset(result.resetReason);
    return result;
  }

  replied(result: ReplyResult): ReplyResult {
    this.metrics.count(result.sent ? "repliesSent" : "repliesSuppressed");
    return result;
  }

  render(options: { format?: MetricsFormat | undefined } = {}): MetricsSnapshot | string {
    const format = options?.format ?? "json";
    if (format !== "json" && format !== "prometheus") throw new HubError("E_INVALID_ARGUMENT", `metrics format must be "json" or "prometheus", got ${describeValue(format)}`);
    const snapshot = this.metrics.snapshot();
    return format === "prometheus" ? renderPrometheus(snapshot) : snapshot;
  }

  gatewayRegistered(gatewayId: string): Promise<void> {
    return this.publisher?.gatewayRegistered(gatewayId) ?? Promise.resolve();
  }

  close(): Promise<void> {
    return this.publisher?.close() ?? Promise.resolve();
  }
}
