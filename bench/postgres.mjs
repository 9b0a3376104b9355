// Postgres backend figures (issue 12), beside the file backend in the same run: per-turn p50
// (a cluster started WITH fsync and synchronous commit), and rounds/s with 1 and 4 replica
// processes on 100 conversations. One round = the inbound turn (claim + user message) and
// the reply turn (assistant message), both awaited. Run: npm run build && node bench/postgres.mjs
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { openFileBackend } from "../dist/backend/file/index.js";
import { openPostgresBackend } from "../dist/backend/postgres/index.js";
import { startCluster } from "../test/support/postgres-cluster.mjs";

const SELF = fileURLToPath(import.meta.url);
const CONVERSATIONS = 100;

async function round(backend, conv, seq, tag) {
  const key = `agent:main:telegram:dm:${conv}`;
  const inbound = await backend.turn({
    key,
    claim: { identity: { channel: "telegram", peerId: String(conv), messageId: `${tag}-${seq}` } },
    decide: (current) => (current === undefined ? { entry: { sessionId: `s-${tag}-${conv}`, updatedAt: Date.now() }, value: 0 } : { value: 0 }),
    messages: [{ role: "user", content: `message ${seq} of ${conv}` }],
  });
  if (inbound.duplicate) throw new Error(`duplicate ${tag}-${seq}`);
  await backend.turn({ key, decide: () => ({ value: 0 }), messages: [{ role: "assistant", content: "ok" }] });
}

// Connections per process (env HUB_BENCH_POOL): unset, the backend's own pool (10).
const POOL = process.env.HUB_BENCH_POOL ? Number(process.env.HUB_BENCH_POOL) : undefined;

async function open(kind, target) {
  if (kind !== "postgres") return openFileBackend({ stateDir: target, durable: true });
  if (POOL === undefined) return openPostgresBackend({ connectionString: target, schema: "bench" });
  const pool = new pg.Pool({ connectionString: target, max: POOL });
  const backend = await openPostgresBackend({ pool, schema: "bench" });
  return { turn: (t) => backend.turn(t), get: (k) => backend.get(k), close: async () => (await backend.close(), await pool.end()) };
}

/** Per-turn latencies (ms) of `rounds` sequential rounds on one conversation. */
async function latency(kind, target, rounds) {
  const backend = await open(kind, target);
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    await round(backend, 0, i, `lat-${kind}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6 / 2);
  }
  await backend.close();
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)], p99: times[Math.floor(times.length * 0.99)] };
}

/** A worker: `rounds` rounds over its share of the conversations, 100 in flight at most. */
async function worker(kind, target, index, procs, rounds) {
  const backend = await open(kind, target);
  const convs = Array.from({ length: CONVERSATIONS }, (_, c) => c).filter((c) => c % procs === index);
  // Warm the pool before the clock starts: connecting is not a round.
  await Promise.all(Array.from({ length: 10 }, () => backend.get("agent:main:warm")));
  let done = 0;
  const start = Date.now();
  await Promise.all(convs.map(async (conv) => {
    for (let seq = 0; seq < rounds; seq++, done++) await round(backend, conv, seq, `w${procs}`);
  }));
  const end = Date.now();
  await backend.close();
  return { done, start, end };
}

async function throughput(kind, target, procs, rounds) {
  const outputs = await Promise.all(
    Array.from({ length: procs }, (_, i) => promisify(execFile)(process.execPath, [SELF, "--worker", kind, target, String(i), String(procs), String(rounds)])),
  );
  // From the first worker's first round to the last worker's last (process start-up excluded).
  const runs = outputs.map(({ stdout }) => JSON.parse(stdout.trim()));
  const total = runs.reduce((sum, run) => sum + run.done, 0);
  return total / ((Math.max(...runs.map((r) => r.end)) - Math.min(...runs.map((r) => r.start))) / 1000);
}

if (process.argv[2] === "--worker") {
  const [kind, target, index, procs, rounds] = process.argv.slice(3);
  console.log(JSON.stringify(await worker(kind, target, Number(index), Number(procs), Number(rounds))));
} else {
  const cluster = await startCluster({ fsync: true });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-bench-file-"));
  try {
    const url = await cluster.createDatabase("bench");
    const rows = [];
    const kinds = process.env.HUB_BENCH_ONLY === "postgres" ? [["postgres", url]] : [["postgres", url], ["file", dir]];
    for (const [kind, target] of kinds) {
      const { p50, p99 } = await latency(kind, target, 300);
      const one = await throughput(kind, target, 1, 20);
      const four = await throughput(kind, target, 4, 20);
      rows.push({ backend: kind, "turn p50 ms": p50.toFixed(2), "turn p99 ms": p99.toFixed(2), "rounds/s 1 proc": one.toFixed(0), "rounds/s 4 procs": four.toFixed(0) });
    }
    console.log(`${os.cpus().length} cores, Postgres with fsync=on, synchronous_commit=on; file backend durable`);
    console.table(rows);
  } finally {
    await cluster.destroy();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
