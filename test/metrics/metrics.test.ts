/**
 * `createMetrics`, `mergeMetrics` and the Prometheus rendering: counters, resets by reason,
 * latencies, bounded names, exact errors.
 */
import { describe, expect, it } from "vitest";
import { HubError } from "../../src/errors.js";
import { createMetrics, mergeMetrics } from "../../src/metrics/metrics.js";
import { renderPrometheus } from "../../src/metrics/prometheus.js";

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof HubError ? error.code : String(error);
  }
  return "no error";
};

describe("createMetrics", () => {
  it("starts with every standard counter, reset reason and latency at 0", () => {
    let now = 1000;
    const m = createMetrics({ now: () => now });
    now = 4000;
    const s = m.snapshot();
    expect(s.since).toBe(1000);
    expect(s.at).toBe(4000);
    expect(s.counters).toEqual({ messagesReceived: 0, duplicates: 0, repliesSent: 0, repliesSuppressed: 0, compactions: 0 });
    expect(s.resets).toEqual({ new: 0, daily: 0, idle: 0, trigger: 0 });
    expect(Object.keys(s.latencies)).toEqual(["transcriptAppend", "storeWrite", "lockWait"]);
  });

  it("counts, observes, counts resets by reason, and moves version on every record", () => {
    const m = createMetrics();
    const v0 = m.version;
    m.count("duplicates");
    m.count("turnsStarted", 3);
    m.observe("storeWrite", 4);
    m.observe("turnDuration", 250);
    m.reset("idle");
    expect(m.version).toBe(v0 + 5);
    const s = m.snapshot();
    expect(s.counters).toMatchObject({ duplicates: 1, turnsStarted: 3 });
    expect(s.resets.idle).toBe(1);
    expect(s.latencies.storeWrite).toMatchObject({ count: 1, sumMs: 4, maxMs: 4 });
    expect(s.latencies.turnDuration).toMatchObject({ count: 1, p99: 250 });
  });

  it("refuses names that are not camelCase, a negative count, and a 65th name (memory stays bounded)", () => {
    const m = createMetrics();
    expect(code(() => m.count("bad name"))).toBe("E_INVALID_ARGUMENT");
    expect(code(() => m.observe("Upper", 1))).toBe("E_INVALID_ARGUMENT");
    expect(code(() => m.count("duplicates", -1))).toBe("E_INVALID_ARGUMENT");
    for (let i = 0; i < 61; i++) m.observe(`x${i}`, 1); // 3 standard latencies + 61 = 64
    expect(code(() => m.observe("oneTooMany", 1))).toBe("E_INVALID_ARGUMENT");
    expect(code(() => m.observe("x0", 1))).toBe("no error");
  });
});

describe("mergeMetrics", () => {
  it("adds counters and resets, merges histograms, takes the earliest since and the latest at", () => {
    let now = 100;
    const a = createMetrics({ now: () => now });
    now = 50;
    const b = createMetrics({ now: () => now });
    a.count("messagesReceived", 2);
    b.count("messagesReceived", 5);
    b.reset("daily");
    a.observe("storeWrite", 1);
    b.observe("storeWrite", 9);
    now = 900;
    const merged = mergeMetrics([a.state(), JSON.parse(JSON.stringify(b.state()))]);
    expect(merged.counters.messagesReceived).toBe(7);
    expect(merged.resets.daily).toBe(1);
    expect(merged.latencies.storeWrite).toMatchObject({ count: 2, sumMs: 10, maxMs: 9 });
    expect([merged.since, merged.at]).toEqual([50, 900]);
  });

  it("of nothing: zeros", () => {
    expect(mergeMetrics([])).toMatchObject({ since: 0, at: 0, counters: { messagesReceived: 0 } });
  });
});

describe("renderPrometheus", () => {
  it("renders counters, resets by reason and latency summaries in seconds", () => {
    const m = createMetrics({ now: () => 0 });
    m.count("messagesReceived", 3);
    m.reset("trigger");
    m.observe("storeWrite", 2);
    const text = renderPrometheus(m.snapshot());
    expect(text).toContain("# TYPE session_hub_messages_received_total counter\nsession_hub_messages_received_total 3\n");
    expect(text).toContain('session_hub_resets_total{reason="trigger"} 1\n');
    expect(text).toContain('# TYPE session_hub_store_write_seconds summary\nsession_hub_store_write_seconds{quantile="0.5"} 0.002\n');
    expect(text).toContain("session_hub_store_write_seconds_sum 0.002\nsession_hub_store_write_seconds_count 1\n");
    expect(text.endsWith("\n")).toBe(true);
  });
});
