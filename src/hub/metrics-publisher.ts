/**
 * Publishing a hub's metrics for `hub status` (another process): once the hub registered a
 * gateway, its snapshot is written beside the registry every `intervalMs` when something was
 * counted since the last one (at least every `HEARTBEAT_INTERVALS` intervals, so that an idle
 * hub is not taken for a dead one), and once more on close. Off the hot path: a timer (unref'd), never
 * a write per message. A failed write is a warning; the next tick tries again.
 */
import { hostIdentity } from "../backend/file/lock/lock-owner.js";
import type { MetricsPublishing } from "../backend/file/gateways/gateway-metrics.js";
import { HubError } from "../errors.js";
import type { Metrics } from "../metrics/metrics.js";
import type { StoreWarning } from "../backend/file/store/session-store.js";

/** An idle hub still publishes every this many intervals, so that `hub status` can tell it runs. */
export const HEARTBEAT_INTERVALS = 3;

export class MetricsPublisher {
  private readonly gatewayIds: string[] = [];
  private quietTicks = 0;
  private timer: NodeJS.Timeout | undefined;
  private publishedVersion = -1;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly metrics: Metrics,
    private readonly backend: MetricsPublishing & { agentId: string },
    private readonly intervalMs: number,
    private readonly warn: (warning: StoreWarning) => void,
  ) {}

  /** Starts publishing (first gateway) and publishes now, so `hub status` sees the gateway at once. */
  gatewayRegistered(gatewayId: string): Promise<void> {
    if (!this.gatewayIds.includes(gatewayId)) this.gatewayIds.push(gatewayId);
    if (this.timer === undefined) {
      this.timer = setInterval(() => void this.tick(), this.intervalMs);
      this.timer.unref();
    }
    return this.publish(false, true);
  }

  /** Stops the timer and writes the last snapshot (when a gateway was registered). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    if (this.gatewayIds.length > 0) await this.publish(true, true);
  }

  /** Publishes what changed since the last snapshot, and a heartbeat every `HEARTBEAT_INTERVALS`. */
  private tick(): Promise<void> {
    this.quietTicks = (this.quietTicks + 1) % HEARTBEAT_INTERVALS;
    return this.publish(false, this.quietTicks === 0);
  }

  private publish(closed: boolean, always = false): Promise<void> {
    const version = this.metrics.version;
    if (!always && version === this.publishedVersion) return this.writing;
    this.publishedVersion = version;
    const published = { gatewayIds: [...this.gatewayIds], agentId: this.backend.agentId, pid: process.pid, host: hostIdentity().host, closed, intervalMs: this.intervalMs, state: this.metrics.state() };
    // One write at a time, in order: a slow disk never reorders snapshots.
    this.writing = this.writing.then(() =>
      this.backend.publishMetrics(published).catch((error: unknown) => {
        this.publishedVersion = -1;
        const code = error instanceof HubError ? error.code : "E_IO";
        this.warn({ code, message: `publishing metrics failed: ${(error as Error).message}; retried in ${this.intervalMs} ms` });
      }),
    );
    return this.writing;
  }
}
