/**
 * A bounded latency histogram: fixed log-scale buckets (8 per doubling, ~9% wide) from 1 µs
 * to ~18 min, so its memory never grows with traffic (one small typed array). Percentiles
 * are the upper bound of the bucket holding that rank, capped at the largest value seen:
 * within ~9% of the exact value. Histograms merge exactly (bucket counts add), which is how
 * `hub status` aggregates the snapshots of several processes. Pure: no I/O.
 */

/** The upper bound of bucket 0 (ms); bucket `i` holds values up to `MIN_MS * 2^(i / 8)`. */
const MIN_MS = 0.001;
const PER_DOUBLING = 8;
/** 30 doublings above 1 µs: ~1 074 s. Slower values land in the last bucket. */
const BUCKETS = 30 * PER_DOUBLING + 1;

/** What a histogram says about its values (ms, rounded to 3 decimals). */
export interface LatencySummary {
  /** How many values were recorded. */
  count: number;
  /** Their sum (ms): `sumMs / count` is the mean. */
  sumMs: number;
  maxMs: number;
  p50: number;
  p95: number;
  p99: number;
}

/** The serialized form (published snapshots): non-empty buckets by index. */
export interface HistogramState {
  count: number;
  sumMs: number;
  maxMs: number;
  buckets: Record<string, number>;
}

function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log2(ms / MIN_MS) * PER_DOUBLING));
}

function upperBound(index: number): number {
  return MIN_MS * 2 ** (index / PER_DOUBLING);
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export class Histogram {
  private readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  sumMs = 0;
  maxMs = 0;

  /** Records one value (ms); a negative or non-finite one counts as 0. */
  record(ms: number): void {
    const value = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const index = bucketOf(value);
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.count++;
    this.sumMs += value;
    if (value > this.maxMs) this.maxMs = value;
  }

  /** The value at quantile `q` (0 < q <= 1); 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      // The last bucket is open-ended: its values are bounded only by the max.
      if (seen >= rank) return i === BUCKETS - 1 ? this.maxMs : Math.min(upperBound(i), this.maxMs);
    }
    return this.maxMs;
  }

  summary(): LatencySummary {
    return { count: this.count, sumMs: round(this.sumMs), maxMs: round(this.maxMs), p50: round(this.quantile(0.5)), p95: round(this.quantile(0.95)), p99: round(this.quantile(0.99)) };
  }

  state(): HistogramState {
    const buckets: Record<string, number> = {};
    this.counts.forEach((n, i) => {
      if (n > 0) buckets[i] = n;
    });
    return { count: this.count, sumMs: this.sumMs, maxMs: this.maxMs, buckets };
  }

  /** Adds a serialized histogram (another process's); malformed buckets are skipped. */
  merge(state: HistogramState): void {
    let added = 0;
    for (const [key, n] of Object.entries(state.buckets)) {
      const index = Number(key);
      if (!Number.isSafeInteger(index) || index < 0 || index >= BUCKETS || !Number.isSafeInteger(n) || n <= 0) continue;
      this.counts[index] = (this.counts[index] ?? 0) + n;
      added += n;
    }
    this.count += added;
    if (Number.isFinite(state.sumMs)) this.sumMs += state.sumMs;
    if (Number.isFinite(state.maxMs) && state.maxMs > this.maxMs) this.maxMs = state.maxMs;
  }
}
