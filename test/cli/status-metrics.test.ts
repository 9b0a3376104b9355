/**
 * `hub status` shows the metrics a running gateway (another process) published beside the
 * gateway registry, with their age, and the sum over every gateway process; a snapshot a
 * killed process left behind turns stale; a closed hub's last snapshot says so.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureDistBuilt, hub, useTempDir } from "./helpers.js";

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), "children", "gateway.mjs");
const tmp = useTempDir();
const children: ChildProcess[] = [];

beforeAll(ensureDistBuilt, 120_000);
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Starts a gateway process; resolves once it has received its messages and published. */
function startGateway(stateDir: string, gatewayId: string, count: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CHILD, stateDir, gatewayId, String(count)], { stdio: ["pipe", "pipe", "pipe"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("ready\n")) resolve(child);
    });
    child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("exit", (code) => reject(new Error(`gateway exited (${code}) before ready: ${err}`)));
  });
}

interface StatusJson {
  metrics: {
    publishers: Array<{ gatewayIds: string[]; pid: number; host: string; state: string; ageMs: number; metrics: { counters: Record<string, number> } }>;
    total: { counters: Record<string, number>; resets: Record<string, number>; latencies: Record<string, { count: number }> };
  };
}

async function statusJson(now = Date.now()): Promise<StatusJson> {
  const r = await hub(["status", "--json", "--state-dir", tmp()], { now });
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as StatusJson;
}

/** Polls `hub status --json` until `ok` (a snapshot is published every 100 ms). */
async function statusUntil(ok: (s: StatusJson) => boolean, what: string): Promise<StatusJson> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await statusJson();
    if (ok(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s.metrics)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("hub status: metrics of running gateways", () => {
  it("shows each gateway process's snapshot with its age and the sum of all", async () => {
    const a = await startGateway(tmp(), "tg-1", 5);
    const b = await startGateway(tmp(), "tg-2", 3);
    // Both gateways share one conversation: the duplicates are per message id.
    const s = await statusUntil((x) => x.metrics.total.counters.messagesReceived === 10 && x.metrics.total.counters.repliesSent === 2, "both snapshots");
    expect(s.metrics.publishers.map((p) => [p.gatewayIds, p.pid, p.state])).toEqual([
      [["tg-1"], a.pid, "running"],
      [["tg-2"], b.pid, "running"],
    ]);
    expect(s.metrics.publishers.every((p) => p.host === os.hostname() && p.ageMs < 30_000)).toBe(true);
    expect(s.metrics.total.counters.duplicates).toBeGreaterThanOrEqual(2);
    expect(s.metrics.total.latencies.transcriptAppend?.count).toBeGreaterThan(0);
    expect(s.metrics.total.latencies.storeWrite?.count).toBeGreaterThan(0);
    const text = await hub(["status", "--state-dir", tmp()], { now: Date.now() });
    expect(text.stdout).toMatch(/\nMetrics: {6}10 received, [0-9]+ duplicates, [0-9]+ resets \(new [0-9]+.*\), 2 replies sent, 0 suppressed, 0 compactions\n/);
    expect(text.stdout).toMatch(/\n {2}append: {5}p50 [0-9.]+ ms, p95 [0-9.]+ ms, p99 [0-9.]+ ms \([0-9]+\)\n/);
    expect(text.stdout).toContain(`\n  gateway tg-1 (pid ${a.pid} on ${os.hostname()}): published `);
  });

  it("a snapshot whose process was killed turns stale; a closed hub's says closed", async () => {
    const killed = await startGateway(tmp(), "tg-killed", 2);
    const closing = await startGateway(tmp(), "tg-closed", 2);
    await statusUntil((x) => x.metrics.publishers.length === 2, "two snapshots");
    killed.kill("SIGKILL");
    const exited = new Promise((resolve) => closing.on("exit", resolve));
    closing.stdin?.end();
    await exited;
    const later = Date.now() + 60_000;
    const s = await statusJson(later);
    expect(s.metrics.publishers.map((p) => [p.gatewayIds[0], p.state])).toEqual([
      ["tg-closed", "closed"],
      ["tg-killed", "stale"],
    ]);
    const text = await hub(["status", "--state-dir", tmp()], { now: later });
    expect(text.stdout).toMatch(/\n {2}gateway tg-closed \(pid [0-9]+ on .*\): closed, last published (1m ago|[0-9]+s ago), 3 received\n/);
    expect(text.stdout).toMatch(/\n {2}gateway tg-killed \(pid [0-9]+ on .*\): stale: last published [0-9]+s ago, 3 received\n/);
  });

  it("a file in the metrics directory that is not a snapshot is reported, not fatal", async () => {
    await fs.mkdir(path.join(tmp(), "metrics", "main"), { recursive: true });
    await fs.writeFile(path.join(tmp(), "metrics", "main", "junk.json"), "{ not json");
    const r = await hub(["status", "--state-dir", tmp()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Metrics:      none published");
    const json = JSON.parse((await hub(["status", "--json", "--state-dir", tmp()])).stdout);
    expect(json.metrics.invalid).toEqual([path.join(tmp(), "metrics", "main", "junk.json")]);
  });
});
