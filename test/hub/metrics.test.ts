/**
 * `hub.metrics()`: what the façade counts (messages, duplicates, resets by reason, replies
 * sent and suppressed), what the file backend reports through its observer (transcript
 * appends, store writes, lock waits, journal folds), the Prometheus text, the `record` API,
 * and the snapshot a hub with a registered gateway publishes for `hub status`.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openFileBackend } from "../../src/backend/file/index.js";
import { readPublishedMetrics } from "../../src/backend/file/gateways/gateway-metrics.js";
import { HubError } from "../../src/errors.js";
import { createHub } from "../../src/hub.js";
import { createMetrics } from "../../src/metrics/metrics.js";
import { HOUR, MINUTE, useHub } from "./helpers.js";

const t = useHub();

const dm = (peerId: string, text: string, messageId?: string) => ({ channel: "telegram", chatType: "direct" as const, peerId, text, ...(messageId ? { messageId } : {}) });
const denyGroups = { session: { sendPolicy: { rules: [{ action: "deny" as const, match: { chatType: "group" as const } }] }, reset: { mode: "idle" as const, idleMinutes: 60 } } };

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("hub.metrics()", () => {
  it("counts messages, duplicates, resets by reason and replies sent and suppressed", async () => {
    const hub = await t.open({ config: denyGroups });
    await hub.receive(dm("1", "hi", "m1")); // new
    await hub.receive(dm("1", "hi again", "m1")); // duplicate
    await hub.receive(dm("1", "/new")); // trigger
    t.clock().advance(2 * HOUR);
    await hub.receive(dm("1", "back")); // idle
    await hub.receive({ channel: "discord", chatType: "group", peerId: "G", text: "bot?" }); // new
    await hub.reply("agent:main:telegram:dm:1", { text: "hello" });
    await hub.reply("agent:main:discord:group:g", { text: "no" });
    await expect(hub.receive({ channel: 5 } as never)).rejects.toMatchObject({ code: "E_INVALID_ARGUMENT" });
    const s = hub.metrics();
    expect(s.counters).toEqual({ messagesReceived: 5, duplicates: 1, repliesSent: 1, repliesSuppressed: 1, compactions: 0 });
    expect(s.resets).toEqual({ new: 2, daily: 0, idle: 1, trigger: 1 });
    expect(s.at).toBe(t.clock().at);
  });

  it("the file backend reports each transcript append, store write and lock wait, and each journal fold", async () => {
    const hub = await t.open();
    await hub.receive(dm("1", "one"));
    for (let i = 0; i < 3; i++) {
      t.clock().advance(MINUTE);
      await hub.receive(dm("1", `more ${i}`)); // the clock moves in the journal, not sessions.json
    }
    const before = hub.metrics();
    expect(before.latencies.transcriptAppend?.count).toBe(4);
    expect(before.latencies.storeWrite?.count).toBe(hub.store.stats.writes);
    expect(before.latencies.lockWait?.count).toBeGreaterThanOrEqual(hub.store.stats.writes);
    expect(before.counters.compactions).toBe(0);
    expect(await hub.store.compact()).toBe(true);
    const after = hub.metrics();
    expect(after.counters.compactions).toBe(1);
    expect(after.latencies.storeWrite?.count).toBe(before.latencies.storeWrite!.count + 1);
    for (const name of ["transcriptAppend", "storeWrite", "lockWait"]) {
      const l = after.latencies[name]!;
      expect(l.p50).toBeLessThanOrEqual(l.p95);
      expect(l.p95).toBeLessThanOrEqual(l.p99);
      expect(l.p99).toBeLessThanOrEqual(l.maxMs);
    }
  });

  it("a backend opened by the caller reports to the metrics given to both", async () => {
    const metrics = createMetrics();
    const backend = openFileBackend({ stateDir: t.dir(), durable: false, observer: metrics });
    const hub = await createHub({ backend, metrics, stateDir: t.dir() });
    await hub.receive(dm("1", "hi"));
    await hub.close();
    await backend.close();
    expect(metrics.snapshot().counters.messagesReceived).toBe(1);
    expect(metrics.snapshot().latencies.transcriptAppend?.count).toBe(1);
  });

  it("hub.record counts and times the gateway's own events (the run API's turns)", async () => {
    const hub = await t.open();
    hub.record.count("turnsStarted");
    hub.record.observe("turnDuration", 1200);
    expect(hub.metrics().counters.turnsStarted).toBe(1);
    expect(hub.metrics().latencies.turnDuration).toMatchObject({ count: 1, sumMs: 1200, p99: 1200 });
    expect(() => hub.record.count("not valid")).toThrow(HubError);
  });

  it('{ format: "prometheus" } renders the text format; another format is E_INVALID_ARGUMENT', async () => {
    const hub = await t.open();
    await hub.receive(dm("1", "hi"));
    const text = hub.metrics({ format: "prometheus" });
    expect(text).toContain("session_hub_messages_received_total 1\n");
    expect(text).toContain('session_hub_resets_total{reason="new"} 1\n');
    expect(text).toContain("session_hub_transcript_append_seconds_count 1\n");
    expect(() => hub.metrics({ format: "xml" as never })).toThrow(expect.objectContaining({ code: "E_INVALID_ARGUMENT" }));
  });
});

describe("published snapshots (for hub status)", () => {
  it("a hub without a registered gateway publishes nothing", async () => {
    const hub = await t.open({ metricsPublishMs: 10 });
    await hub.receive(dm("1", "hi"));
    await hub.close();
    expect(await fs.readdir(t.dir())).not.toContain("metrics");
  });

  it("registering a gateway publishes at once, then every interval when something changed, and a closed snapshot on close", async () => {
    const hub = await t.open({ metricsPublishMs: 30 });
    await hub.registerGateway({ gatewayId: "tg/main", name: "Telegram", type: "telegram" });
    const first = await readPublishedMetrics(t.dir());
    expect(first.snapshots).toMatchObject([{ gatewayIds: ["tg/main"], agentId: "main", pid: process.pid, closed: false, state: { counters: { messagesReceived: 0 } } }]);
    expect(await fs.readdir(path.join(t.dir(), "metrics", "main"))).toEqual(["tg%2Fmain.json"]);
    await hub.receive(dm("1", "hi"));
    await until(() => readPublishedMetrics(t.dir()), (r) => r.snapshots[0]?.state.counters.messagesReceived === 1, "the next snapshot");
    await hub.close();
    const last = (await readPublishedMetrics(t.dir())).snapshots[0];
    expect(last).toMatchObject({ closed: true, state: { counters: { messagesReceived: 1 }, resets: { new: 1 } } });
    expect(last?.state.latencies.transcriptAppend?.count).toBe(1);
  });

  it("the hot path writes no snapshot: 20 messages within one interval leave the published file as it was", async () => {
    const hub = await t.open({ metricsPublishMs: 600_000 }); // no tick during the test, even under load
    await hub.registerGateway({ gatewayId: "tg", name: "Telegram", type: "telegram" });
    const file = path.join(t.dir(), "metrics", "main", "tg.json");
    const before = await fs.readFile(file, "utf8");
    for (let i = 0; i < 20; i++) await hub.receive(dm(String(i), "hi"));
    expect(await fs.readFile(file, "utf8")).toBe(before);
    await hub.close();
    expect(JSON.parse(await fs.readFile(file, "utf8")).state.counters.messagesReceived).toBe(20);
  });

  it("metricsPublishMs must be a positive number", async () => {
    await expect(t.open({ metricsPublishMs: 0 })).rejects.toMatchObject({ code: "E_INVALID_ARGUMENT" });
  });
});

describe("a broken observer", () => {
  it("never fails the write it measures: the write goes on and the failure is a warning", async () => {
    const warnings: Array<{ code: string; message: string }> = [];
    const broken = {
      count: () => {
        throw new Error("boom");
      },
      observe: () => {
        throw new Error("boom");
      },
    };
    const backend = openFileBackend({ stateDir: t.dir(), durable: false, observer: broken, onWarning: (w) => warnings.push(w) });
    try {
      const stored = await backend.append("agent:main:main", "s-1", [{ role: "user", content: "hi" }]);
      expect(stored).toHaveLength(1);
      expect((await backend.get("agent:main:main"))?.sessionId).toBe("s-1");
    } finally {
      await backend.close();
    }
    expect(warnings.length).toBeGreaterThanOrEqual(2); // the append, the store write, the lock wait
    expect(warnings[0]).toMatchObject({ code: "E_INVALID_ARGUMENT", message: "the metrics observer failed (the write went on): boom" });
  });
});
