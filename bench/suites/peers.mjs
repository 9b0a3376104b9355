// session-hub against the peers a user would pick, side by side in one run on the same
// workload (one round = receive of a Telegram DM + reply, both awaited, durable; the store
// seeded with N clawdbot-shaped entries): SQLite WAL synchronous=FULL doing the same work,
// the fsync floor, and the naive clawdbot algorithm. Phases: per-round latency, 100
// conversations in one process, several processes on one state dir, `hub sessions --json`.
// Options: --sizes 1k,10k,100k,1k-fat,10k-fat --reps 5 --conversations 100 --procs 4
// --naive-max-mb 50, or --quick. The helpers live in bench/peers/.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { seedNaive } from "../peers/file-peers.mjs";
import { countHubLines, hubListCommand, seedHub } from "../peers/hub-peer.mjs";
import { listing, sqliteListCommand } from "../peers/listing.mjs";
import { peersOptions } from "../peers/options.mjs";
import { perRound } from "../peers/phases.mjs";
import { openRoundProcess } from "../peers/round-process.mjs";
import { printTables, summarize } from "../peers/report.mjs";
import { countSqliteLines, seedSqlite, sqliteFile } from "../peers/sqlite-peer.mjs";
import { throughput } from "../peers/throughput.mjs";
import { round, storeOf } from "../peers/workload.mjs";

export const title = "Peers: session-hub vs SQLite WAL (FULL) vs fsync floor vs naive clawdbot, one workload";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Every contender's directory, seeded with the same entries. */
async function seedAll(root, size, naiveMaxBytes) {
  const store = storeOf(size.n, size.fat, Date.now());
  const storeBytes = Buffer.byteLength(JSON.stringify(store, null, 2));
  const dirs = { hub: path.join(root, "hub"), sqlite: path.join(root, "sqlite"), floor: path.join(root, "floor") };
  await seedHub(dirs.hub, store);
  await fs.mkdir(dirs.sqlite, { recursive: true });
  seedSqlite(dirs.sqlite, store);
  if (storeBytes <= naiveMaxBytes) {
    dirs.naive = path.join(root, "naive");
    await seedNaive(dirs.naive, store);
  }
  return { dirs, storeBytes };
}

/** Every contender of the per-round phase, each in its own process. */
async function openAll(dirs) {
  const names = ["hub", "sqlite", "floor", ...(dirs.naive ? ["naive"] : [])];
  const opened = await Promise.allSettled(names.map((name) => openRoundProcess(name, dirs[name])));
  const failed = opened.find((o) => o.status === "rejected");
  if (failed) {
    for (const o of opened) if (o.status === "fulfilled") o.value.kill();
    throw failed.reason;
  }
  return opened.map((o) => o.value);
}

/** Expected transcript lines (2 per round) against those found; null where a run crashed. */
function lostUpdates(dirs, convs, tallies, phases) {
  const ok = (name) => Object.values(phases).every((peers) => peers[name]?.error === undefined);
  return {
    hub: ok("hub") ? 2 * (tallies.hub ?? 0) - countHubLines(dirs.hub, convs) : null,
    sqlite: ok("sqlite") ? 2 * (tallies.sqlite ?? 0) - countSqliteLines(dirs.sqlite, convs) : null,
  };
}

/** Per-round latency, every contender (in its own process) taking turns. */
async function perRoundPhase(dirs, opts, tally) {
  const contenders = await openAll(dirs);
  try {
    // Untimed warm-up: the steady state a running gateway is in. One-time costs are paid first
    // (the store loaded, the transcript created, session-hub's dedupe shard directories and
    // SQLite's WAL pages made, V8's code compiled); the naive store, which has none, gets one.
    for (const contender of contenders) {
      const rounds = contender.name === "naive" ? 1 : opts.warmRounds;
      tally(contender.name, (await contender.block({ conv: 0, first: 0, rounds, blockMs: 1e12, tag: "w" })).length);
    }
    const result = await perRound(contenders, { conv: 0, reps: opts.reps, blockRounds: opts.blockRounds, blockMs: opts.blockMs, tally });
    return dirs.naive ? result : { ...result, naive: null };
  } finally {
    for (const contender of contenders) await contender.close();
  }
}

const rates = (peers) => Object.entries(peers).map(([name, r]) => `${name} ${r.error ? "crashed" : round(r.roundsPerSec, 0)}`).join(", ");

async function runSize(root, size, opts, log) {
  const { dirs, storeBytes } = await seedAll(root, size, opts.naiveMaxBytes);
  const result = { size: size.label, entries: size.n, fat: size.fat, bytesPerEntry: Math.round(storeBytes / size.n), storeMB: round(storeBytes / 1e6, 1) };
  const tallies = {};
  const tally = (name, rounds) => (tallies[name] = (tallies[name] ?? 0) + rounds);
  const convs = Array.from({ length: Math.min(opts.conversations, size.n - 1) }, (_, i) => i + 1);
  const checked = [0, ...convs];
  const phase = { convs, windowMs: opts.windowMs, reps: opts.throughputReps, tally };
  if (opts.perRoundAt(size)) {
    result.perRound = await perRoundPhase(dirs, opts, tally);
    log(`${size.label}: per round p50 ${Object.entries(result.perRound).map(([name, r]) => `${name} ${r ? round(r.p50, 2) : "-"} ms`).join(", ")}`);
  }
  if (opts.concurrentAt(size)) {
    const peers = await throughput({ hub: dirs.hub, sqlite: dirs.sqlite, floor: dirs.floor }, { ...phase, procs: 1, warmAll: true, tag: "c" });
    result.concurrent = { conversations: convs.length, peers, lostUpdates: lostUpdates(dirs, checked, tallies, { peers }) };
    log(`${size.label}: ${convs.length} conversations at once in one process, rounds/s ${rates(peers)}`);
  }
  if (opts.listAt(size)) {
    const commands = { hub: hubListCommand(REPO_ROOT, dirs.hub), sqlite: sqliteListCommand(sqliteFile(dirs.sqlite)) };
    result.listing = await listing(commands, { reps: opts.listReps, expectedCount: size.n });
    log(`${size.label}: hub sessions --json ${round(result.listing.hub.ms, 0)} ms, sqlite script ${round(result.listing.sqlite.ms, 0)} ms`);
  }
  if (opts.processesAt(size)) {
    // The conversations were warmed up by the phase before (processesAt implies concurrentAt).
    const peers = await throughput({ hub: dirs.hub, sqlite: dirs.sqlite }, { ...phase, procs: opts.procs, warmAll: false, tag: "x" });
    result.processes = { procs: opts.procs, conversations: convs.length, peers, lostUpdates: lostUpdates(dirs, checked, tallies, { peers, before: result.concurrent?.peers ?? {} }) };
    log(`${size.label}: ${opts.procs} processes, rounds/s ${rates(peers)}; lost updates ${JSON.stringify(result.processes.lostUpdates)}`);
  }
  return result;
}

export async function run({ quick, log, args = [] }) {
  const opts = peersOptions(args, quick);
  const results = [];
  for (const size of opts.sizes) {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), `hub-bench-peers-${size.label}-`));
    try {
      results.push(await runSize(root, size, opts, log));
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  }
  const summary = summarize(results);
  printTables(results, summary, log);
  const config = { sizes: opts.sizes.map((s) => s.label), reps: opts.reps, conversations: opts.conversations, procs: opts.procs, quick };
  return { config, figures: { sizes: results }, ratios: summary.ratios, targets: summary.targets, met: summary.met };
}
