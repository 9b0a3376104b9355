/**
 * The bounded latency histogram: percentiles within its bucket width of the exact values,
 * memory that does not grow with the number of values, exact merging.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Histogram } from "../../src/metrics/histogram.js";

/** The exact value at quantile q (nearest rank). */
function exact(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number;
}

describe("Histogram", () => {
  it("is empty at first: every figure 0", () => {
    expect(new Histogram().summary()).toEqual({ count: 0, sumMs: 0, maxMs: 0, p50: 0, p95: 0, p99: 0 });
  });

  it("p50/p95/p99 of 1..1000 ms lie within 10% above the exact values; count, sum and max are exact", () => {
    const h = new Histogram();
    for (let ms = 1; ms <= 1000; ms++) h.record(ms);
    const s = h.summary();
    expect({ count: s.count, sumMs: s.sumMs, maxMs: s.maxMs }).toEqual({ count: 1000, sumMs: 500_500, maxMs: 1000 });
    for (const [q, value] of [[0.5, s.p50], [0.95, s.p95], [0.99, s.p99]] as const) {
      expect(value).toBeGreaterThanOrEqual(1000 * q);
      expect(value).toBeLessThanOrEqual(1000 * q * 1.1);
    }
  });

  it("any values: each percentile is >= the exact one and <= 1.1 x it (or the max)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.002, max: 500_000, noNaN: true }), { minLength: 1, maxLength: 300 }), (values) => {
        const h = new Histogram();
        for (const v of values) h.record(v);
        for (const q of [0.5, 0.95, 0.99]) {
          const want = exact(values, q);
          const got = h.quantile(q);
          expect(got).toBeGreaterThanOrEqual(want * (1 - 1e-9));
          expect(got).toBeLessThanOrEqual(Math.min(want * 1.1, Math.max(...values)) * (1 + 1e-9));
        }
      }),
    );
  });

  it("memory is bounded: a million values serialize to at most one bucket per distinct 9% band", () => {
    const h = new Histogram();
    for (let i = 0; i < 1_000_000; i++) h.record((i % 5000) / 10);
    const state = h.state();
    expect(state.count).toBe(1_000_000);
    expect(Object.keys(state.buckets).length).toBeLessThanOrEqual(241);
  });

  it("negative, NaN and infinite values count as 0 ms (the first bucket); values past the range land in the last bucket", () => {
    const h = new Histogram();
    for (const v of [-5, Number.NaN, Number.POSITIVE_INFINITY]) h.record(v);
    h.record(5e9);
    expect(h.summary()).toMatchObject({ count: 4, maxMs: 5e9, p50: 0.001 }); // the first bucket: up to 1 µs
    expect(h.quantile(1)).toBe(5e9);
  });

  it("merging two histograms equals recording all values in one", () => {
    const a = new Histogram();
    const b = new Histogram();
    const all = new Histogram();
    for (let i = 1; i <= 200; i++) {
      (i % 3 === 0 ? a : b).record(i * 1.7);
      all.record(i * 1.7);
    }
    const merged = new Histogram();
    merged.merge(a.state());
    merged.merge(JSON.parse(JSON.stringify(b.state())));
    expect(merged.summary()).toEqual(all.summary());
  });

  it("merge skips malformed buckets (a hand-edited snapshot file)", () => {
    const h = new Histogram();
    h.merge({ count: 3, sumMs: 3, maxMs: 1, buckets: { "-1": 1, x: 2, "5": 1.5, "7000": 1, "80": 2 } });
    expect(h.count).toBe(2);
  });
});
