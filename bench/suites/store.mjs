// The sessions.json store on generated stores of 1k, 10k and 100k entries (~0.45 KB each, in
// clawdbot's shape), side by side in one run: our store vs the naive clawdbot algorithm
// (bench/naive-store.mjs) vs the raw floor (the same bytes written atomically with fsync).
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { openSessionStore } from "../../dist/backend/file/store/session-store.js";
import { naiveUpdate } from "../naive-store.mjs";

export const title = "sessions.json store: ours vs naive clawdbot vs raw floor";

const BASE_TIME = 1_795_165_262_000;
const CONCURRENT = 60;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (value, digits = 2) => Number(value.toFixed(digits));
const label = (n) => (n >= 1000 ? `${n / 1000}k` : String(n));

async function timed(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function timeEach(runs, fn) {
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await timed(() => fn(i)));
  return times;
}

const peerOf = (i) => String(7_000_000_000 + i * 7919);
const keyOf = (i) => `agent:main:telegram:dm:${peerOf(i)}`;

/** One entry as a Telegram DM session looks in clawdbot's store. */
function entryOf(i) {
  const peer = peerOf(i);
  return {
    sessionId: randomUUID(),
    updatedAt: BASE_TIME - i * 60_000,
    chatType: "direct",
    deliveryContext: { channel: "telegram", to: peer },
    lastChannel: "telegram",
    lastTo: peer,
    origin: { label: `User ${i}`, provider: "telegram", from: `telegram:${peer}` },
    inputTokens: 1_200 + i,
    outputTokens: 800,
  };
}

function storeText(n) {
  const store = {};
  for (let i = 0; i < n; i++) store[keyOf(i)] = entryOf(i);
  return JSON.stringify(store, null, 2);
}

/** The raw floor: the same bytes, written atomically and durably with nothing else. */
async function floorWrite(file, text) {
  const tmp = `${file}.tmp`;
  const handle = await fs.open(tmp, "w", 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}

/** A directory per contender, each holding the same generated store. */
async function seed(root, name, text) {
  const dir = path.join(root, name);
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, "sessions.json");
  await fs.writeFile(file, text, { mode: 0o600 });
  return file;
}

async function singleUpdates(root, n, text, runs, log) {
  const dir = path.join(root, `single-${n}`);
  const store = openSessionStore({ path: await seed(dir, "ours", text), onWarning: () => {} });
  const openMs = await timed(() => store.get(keyOf(0)));
  const firstMs = await timed(() => store.update(keyOf(1), { inputTokens: 1 }));
  const written = await fs.readFile(store.path, "utf8");
  const floorFile = await seed(dir, "floor", written);
  // Ours and the floor alternate, so both meet the same disk weather.
  const oursTimes = [];
  const floorTimes = [];
  for (let i = 0; i < runs.ours; i++) {
    oursTimes.push(await timed(() => store.update(keyOf((i * 7) % n), { inputTokens: i })));
    floorTimes.push(await timed(() => floorWrite(floorFile, written)));
  }
  const [ours, floor] = [median(oursTimes), median(floorTimes)];
  await store.close();
  const naiveFile = await seed(dir, "naive", text);
  const naive = runs.naive > 0 ? median(await timeEach(runs.naive, (i) => naiveUpdate(naiveFile, keyOf((i * 7) % n), { inputTokens: i }))) : undefined;
  const naiveText = naive === undefined ? "naive skipped (JSON5 on the whole file; see 1k and 10k)" : `naive ${round(naive, 1)} ms (${round(naive / ours, 1)}x ours)`;
  log(`update 1 of ${label(n)} (${round(written.length / 1e6, 1)} MB, ${Math.round(written.length / n)} B/entry): ours ${round(ours)} ms, ${naiveText}, floor ${round(floor)} ms (ours ${round(ours / floor)}x floor); open+first get ${round(openMs, 1)} ms, first update ${round(firstMs, 1)} ms`);
  return { ours, naive, floor, openMs, firstMs, bytesPerEntry: written.length / n };
}

async function concurrentUpdates(root, n, text, runs, log) {
  const dir = path.join(root, `concurrent-${n}`);
  const store = openSessionStore({ path: await seed(dir, "ours", text), onWarning: () => {} });
  await store.update(keyOf(0), { inputTokens: 0 }); // loaded and cached: the steady state
  const writesBefore = store.stats.writes;
  const burst = (run, update) => Promise.all(Array.from({ length: CONCURRENT }, (_, i) => update(keyOf((run * CONCURRENT + i) % n), { inputTokens: i })));
  const ours = median(await timeEach(runs.ours, (run) => burst(run, (key, patch) => store.update(key, patch))));
  const writesPerBurst = (store.stats.writes - writesBefore) / runs.ours;
  await store.close();
  const naiveFile = await seed(dir, "naive", text);
  const naive = median(await timeEach(runs.naive, (run) => burst(run, (key, patch) => naiveUpdate(naiveFile, key, patch))));
  log(`${CONCURRENT} concurrent updates, ${label(n)} entries: ours ${round(ours, 1)} ms (${writesPerBurst} write${writesPerBurst === 1 ? "" : "s"}), naive ${round(naive)} ms: ${round(naive / ours)}x`);
  return { ours, naive, writesPerBurst };
}

async function cachedGets(root, n, text, log) {
  const store = openSessionStore({ path: await seed(path.join(root, `get-${n}`), "ours", text) });
  await store.get(keyOf(0));
  const perBatch = 2_000;
  let k = 0;
  const batches = await timeEach(7, async () => {
    for (let i = 0; i < perBatch; i++) await store.get(keyOf((k++ * 7919) % n));
  });
  const us = (median(batches) / perBatch) * 1000;
  log(`cached get, ${label(n)} entries: ${round(us)} µs (${store.stats.diskReads} disk read)`);
  await store.close();
  return us;
}

export async function run({ quick, log }) {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "hub-bench-store-"));
  try {
    const text = { 1000: storeText(1_000), 10000: storeText(10_000), 100000: storeText(100_000) };
    const single = {
      1000: await singleUpdates(root, 1_000, text[1000], { ours: 30, naive: quick ? 5 : 15 }, log),
      10000: await singleUpdates(root, 10_000, text[10000], { ours: quick ? 11 : 21, naive: quick ? 2 : 5 }, log),
      100000: await singleUpdates(root, 100_000, text[100000], { ours: quick ? 3 : 7, naive: quick ? 0 : 1 }, log),
    };
    const c1k = await concurrentUpdates(root, 1_000, text[1000], { ours: 7, naive: quick ? 1 : 2 }, log);
    const c10k = quick ? undefined : await concurrentUpdates(root, 10_000, text[10000], { ours: 5, naive: 1 }, log);
    const get = { 1000: await cachedGets(root, 1_000, text[1000], log), 100000: await cachedGets(root, 100_000, text[100000], log) };

    const ratios = {
      update10kSpeedupVsNaive: round(single[10000].naive / single[10000].ours, 1),
      update10kOursOverFloor: round(single[10000].ours / single[10000].floor),
      update1kSpeedupVsNaive: round(single[1000].naive / single[1000].ours, 1),
      update100kOursOverFloor: round(single[100000].ours / single[100000].floor),
      concurrent60SpeedupVsNaive1k: round(c1k.naive / c1k.ours, 1),
      cachedGet100kOver1k: round(get[100000] / get[1000]),
    };
    if (c10k) ratios.concurrent60SpeedupVsNaive10k = round(c10k.naive / c10k.ours, 1);
    if (single[100000].naive !== undefined) ratios.update100kSpeedupVsNaive = round(single[100000].naive / single[100000].ours, 1);
    const targets = { update10kSpeedupVsNaive: 25, update10kOursOverFloor: 3, concurrent60SpeedupVsNaive1k: 100, cachedGet100kOver1k: 3 };
    log(
      `targets: 10k speedup vs naive ${ratios.update10kSpeedupVsNaive}x (≥ 25), 10k ours/floor ${ratios.update10kOursOverFloor}x (≤ 3), ` +
        `60 concurrent ${ratios.concurrent60SpeedupVsNaive1k}x naive (≥ 100), cached get 100k/1k ${ratios.cachedGet100kOver1k}x (≤ 3)`,
    );

    const figures = { bytesPerEntry: Math.round(single[1000].bytesPerEntry) };
    for (const n of [1000, 10000, 100000]) {
      const s = single[n];
      figures[`update${label(n)}OursMs`] = round(s.ours);
      figures[`update${label(n)}FloorMs`] = round(s.floor);
      if (s.naive !== undefined) figures[`update${label(n)}NaiveMs`] = round(s.naive, 1);
      figures[`open${label(n)}FirstGetMs`] = round(s.openMs, 1);
      figures[`update${label(n)}FirstAfterOpenMs`] = round(s.firstMs, 1);
    }
    Object.assign(figures, { concurrent60OursMs1k: round(c1k.ours), concurrent60NaiveMs1k: round(c1k.naive), concurrent60WritesPerBurst: c1k.writesPerBurst });
    if (c10k) Object.assign(figures, { concurrent60OursMs10k: round(c10k.ours), concurrent60NaiveMs10k: round(c10k.naive) });
    Object.assign(figures, { cachedGet1kUs: round(get[1000]), cachedGet100kUs: round(get[100000]) });
    return { figures, ratios, targets };
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}
