/**
 * `createMetrics`: the counters and latency histograms a hub keeps (messages received,
 * duplicates, resets by reason, replies sent and suppressed, transcript append and store
 * write latency, lock waits, compactions). Counted where things happen: the façade counts
 * messages and replies, the file backend reports writes, lock waits and journal folds through
 * the `MetricsObserver` it was given. Memory is bounded: a fixed set of histograms of fixed
 * size, and at most `MAX_NAMES` names. Recording is a few arithmetic operations (no I/O).
 */
import { HubError, describeValue } from "../errors.js";
import { Histogram, type HistogramState, type LatencySummary } from "./histogram.js";

export type { LatencySummary, HistogramState };

/** What a backend (or the run API) reports to: counters and durations, by name. */
export interface MetricsObserver {
  /** Adds `by` (default 1) to the counter `name` (camelCase, e.g. `turnsStarted`). */
  count(name: string, by?: number): void;
  /** Records a duration in ms in the latency histogram `name` (camelCase, e.g. `turnDuration`). */
  observe(name: string, ms: number): void;
}

/** The counters every snapshot has (0 until counted). */
export const COUNTERS = ["messagesReceived", "duplicates", "repliesSent", "repliesSuppressed", "compactions"] as const;
/** The latencies every snapshot has (count 0 until recorded). */
export const LATENCIES = ["transcriptAppend", "storeWrite", "lockWait"] as const;
/** The reset reasons every snapshot has. */
export const RESET_REASONS = ["new", "daily", "idle", "trigger"] as const;

/** At most this many counter, latency and reset-reason names each: the memory bound. */
const MAX_NAMES = 64;
const NAME = /^[a-z][A-Za-z0-9]{0,63}$/;

/** `hub.metrics()`: everything since `since`, as of `at` (both epoch ms). */
export interface MetricsSnapshot {
  since: number;
  at: number;
  counters: Record<string, number>;
  /** Sessions started, by reason: `new` (first message), `daily`, `idle`, `trigger` (`/new`, `/reset`). */
  resets: Record<string, number>;
  /** Durations in ms. */
  latencies: Record<string, LatencySummary>;
}

/** The mergeable form of a snapshot (what a hub publishes for `hub status`). */
export interface MetricsState {
  since: number;
  at: number;
  counters: Record<string, number>;
  resets: Record<string, number>;
  latencies: Record<string, HistogramState>;
}

export interface Metrics extends MetricsObserver {
  /** Counts a session started for `reason`. */
  reset(reason: string): void;
  snapshot(): MetricsSnapshot;
  state(): MetricsState;
  /** Grows with every record: a publisher compares it to skip unchanged snapshots. */
  readonly version: number;
}

function assertName(name: string, kind: string): void {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new HubError("E_INVALID_ARGUMENT", `${kind} name must be camelCase (${NAME.source}), got ${describeValue(name)}`);
  }
}

/** A map that refuses a new name past `MAX_NAMES`. */
function slot<V>(map: Map<string, V>, name: string, kind: string, make: () => V): V {
  const existing = map.get(name);
  if (existing !== undefined) return existing;
  assertName(name, kind);
  if (map.size >= MAX_NAMES) throw new HubError("E_INVALID_ARGUMENT", `too many ${kind} names (at most ${MAX_NAMES}), refused "${name}"`);
  const value = make();
  map.set(name, value);
  return value;
}

class MetricsRegistry implements Metrics {
  private readonly counters = new Map<string, number>(COUNTERS.map((name) => [name, 0]));
  private readonly resets = new Map<string, number>(RESET_REASONS.map((name) => [name, 0]));
  private readonly latencies = new Map<string, Histogram>(LATENCIES.map((name) => [name, new Histogram()]));
  private readonly since: number;
  version = 0;

  constructor(private readonly now: () => number) {
    this.since = now();
  }

  count(name: string, by = 1): void {
    if (!(Number.isFinite(by) && by >= 0)) throw new HubError("E_INVALID_ARGUMENT", `count(${name}, by): by must be a number >= 0, got ${describeValue(by)}`);
    slot(this.counters, name, "counter", () => 0);
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
    this.version++;
  }

  observe(name: string, ms: number): void {
    slot(this.latencies, name, "latency", () => new Histogram()).record(ms);
    this.version++;
  }

  reset(reason: string): void {
    slot(this.resets, reason, "reset reason", () => 0);
    this.resets.set(reason, (this.resets.get(reason) ?? 0) + 1);
    this.version++;
  }

  snapshot(): MetricsSnapshot {
    const latencies: Record<string, LatencySummary> = {};
    for (const [name, histogram] of this.latencies) latencies[name] = histogram.summary();
    return { since: this.since, at: this.now(), counters: Object.fromEntries(this.counters), resets: Object.fromEntries(this.resets), latencies };
  }

  state(): MetricsState {
    const latencies: Record<string, HistogramState> = {};
    for (const [name, histogram] of this.latencies) latencies[name] = histogram.state();
    return { since: this.since, at: this.now(), counters: Object.fromEntries(this.counters), resets: Object.fromEntries(this.resets), latencies };
  }
}

/**
 * `observer` with its failures handed to `onError` instead of thrown: a broken observer must
 * never fail the write it measures.
 */
export function guardObserver(observer: MetricsObserver | undefined, onError: (error: unknown) => void): MetricsObserver | undefined {
  if (observer === undefined) return undefined;
  const guarded = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      onError(error);
    }
  };
  return { count: (name, by) => guarded(() => observer.count(name, by)), observe: (name, ms) => guarded(() => observer.observe(name, ms)) };
}

/** The warning for a failed observer call (`StoreWarning` shape). */
export function observerWarning(error: unknown, file?: string): { code: string; message: string; file?: string } {
  const code = error instanceof HubError ? error.code : "E_INVALID_ARGUMENT";
  return { code, message: `the metrics observer failed (the write went on): ${(error as Error)?.message ?? String(error)}`, ...(file === undefined ? {} : { file }) };
}

/** A new, empty set of metrics; `now` (epoch ms, default `Date.now`) stamps `since` and `at`. */
export function createMetrics(options: { now?: (() => number) | undefined } = {}): Metrics {
  return new MetricsRegistry(options.now ?? Date.now);
}

const sumInto = (target: Record<string, number>, source: unknown) => {
  if (source === null || typeof source !== "object") return;
  for (const [name, n] of Object.entries(source)) if (typeof n === "number" && Number.isFinite(n)) target[name] = (target[name] ?? 0) + n;
};

/**
 * The sum of several published states (other processes'): counters and resets add,
 * histograms merge (so percentiles are those of all values together). `since` is the
 * earliest, `at` the latest. Fields that are not numbers are skipped.
 */
export function mergeMetrics(states: readonly MetricsState[]): MetricsSnapshot {
  const counters: Record<string, number> = Object.fromEntries(COUNTERS.map((name) => [name, 0]));
  const resets: Record<string, number> = Object.fromEntries(RESET_REASONS.map((name) => [name, 0]));
  const histograms = new Map<string, Histogram>(LATENCIES.map((name) => [name, new Histogram()]));
  for (const state of states) {
    sumInto(counters, state.counters);
    sumInto(resets, state.resets);
    for (const [name, h] of Object.entries(state.latencies ?? {})) {
      if (h === null || typeof h !== "object" || h.buckets === null || typeof h.buckets !== "object") continue;
      let histogram = histograms.get(name);
      if (histogram === undefined) histograms.set(name, (histogram = new Histogram()));
      histogram.merge(h);
    }
  }
  const latencies: Record<string, LatencySummary> = {};
  for (const [name, histogram] of histograms) latencies[name] = histogram.summary();
  const since = Math.min(...states.map((s) => s.since).filter(Number.isFinite));
  const at = Math.max(...states.map((s) => s.at).filter(Number.isFinite));
  return { since: Number.isFinite(since) ? since : 0, at: Number.isFinite(at) ? at : 0, counters, resets, latencies };
}
