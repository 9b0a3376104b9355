// Transcripts and inbound de-duplication: append throughput against a held file descriptor,
// durable appends batched vs one by one, the newest-20 read on a small and a huge transcript,
// and claimInbound against a naive JSON map rewritten per claim.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { openSessionStore } from "../../dist/backend/file/store/session-store.js";
import { appendMessage } from "../../dist/backend/file/transcripts/transcript-append.js";
import { readMessages } from "../../dist/backend/file/transcripts/transcript-read.js";
import { headerLine, messageLine, prepareMessage } from "../../dist/backend/shared/transcript-format.js";
import { claimInbound } from "../../dist/backend/file/dedupe/dedupe.js";

export const title = "Transcripts and inbound de-duplication";

const KEY = "agent:main:telegram:dm:111";

async function timed(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function message(i) {
  return { role: i % 2 ? "assistant" : "user", content: `message ${i}: the quick brown fox jumps over the lazy dog`, meta: { channel: "telegram", senderId: "111", gatewayMessageId: String(i) } };
}

function openStore(dir, durable) {
  return openSessionStore({ path: path.join(dir, "sessions", "sessions.json"), durable });
}

/** Our appends (a burst, and one by one) against the same lines written to a held descriptor. */
async function appendThroughput(root, n, log) {
  const burstStore = openStore(path.join(root, "burst"), false);
  await appendMessage(burstStore, KEY, message(-1)); // transcript and entry exist: measure steady state
  const burst = await timed(() => Promise.all(Array.from({ length: n }, (_, i) => appendMessage(burstStore, KEY, message(i)))));
  const seqStore = openStore(path.join(root, "seq"), false);
  await appendMessage(seqStore, KEY, message(-1));
  const seqN = Math.max(50, n / 10);
  const sequential = await timed(async () => {
    for (let i = 0; i < seqN; i++) await appendMessage(seqStore, KEY, message(i));
  });
  const lines = Array.from({ length: n }, (_, i) => `${messageLine(`id${i}`, i ? `id${i - 1}` : null, prepareMessage(message(i), Date.now()))}\n`);
  const handle = await fs.open(path.join(root, "held.jsonl"), "a");
  const held = await timed(async () => {
    for (const line of lines) await handle.write(line);
  });
  const floor = await timed(() => handle.write(lines.join("")));
  await handle.close();
  const perSec = (ms, count) => Math.round((count / ms) * 1000);
  log(`append x${n}: burst ${burst.toFixed(1)} ms (${perSec(burst, n)}/s), one by one ${perSec(sequential, seqN)}/s, held fd ${held.toFixed(1)} ms (${perSec(held, n)}/s), one write ${floor.toFixed(1)} ms`);
  return { burstPerSec: perSec(burst, n), sequentialPerSec: perSec(sequential, seqN), heldFdPerSec: perSec(held, n), floorMs: floor, burstVsHeldFd: burst / held };
}

/** Durable appends: concurrent ones share a write and an fsync; one by one each pays its own. */
async function durableAppends(root, n, log) {
  const batchedStore = openStore(path.join(root, "durable-batched"), true);
  await appendMessage(batchedStore, KEY, message(-1));
  const batched = await timed(() => Promise.all(Array.from({ length: n }, (_, i) => appendMessage(batchedStore, KEY, message(i)))));
  const serialStore = openStore(path.join(root, "durable-serial"), true);
  await appendMessage(serialStore, KEY, message(-1));
  const serial = await timed(async () => {
    for (let i = 0; i < n; i++) await appendMessage(serialStore, KEY, message(i));
  });
  log(`durable x${n}: concurrent ${batched.toFixed(1)} ms, one by one ${serial.toFixed(1)} ms (${(serial / batched).toFixed(1)}x)`);
  return { batchedMs: batched, serialMs: serial, serialVsBatched: serial / batched };
}

/** A transcript of `count` messages written directly (fast), registered in a store. */
async function bigTranscript(dir, count) {
  const store = openStore(dir, false);
  await store.update(KEY, { sessionId: "big", updatedAt: 1, sessionFile: "big.jsonl" });
  const handle = await fs.open(path.join(store.dir, "big.jsonl"), "w");
  await handle.write(`${headerLine("big", KEY, Date.now())}\n`);
  const chunk = 10_000;
  for (let from = 0; from < count; from += chunk) {
    const lines = [];
    for (let i = from; i < Math.min(from + chunk, count); i++) lines.push(messageLine(`m${i}`, i ? `m${i - 1}` : null, prepareMessage(message(i), 1_700_000_000_000 + i)));
    await handle.write(`${lines.join("\n")}\n`);
  }
  await handle.close();
  return store;
}

async function perRead(store, reps) {
  await readMessages(store, KEY, { limit: 20 }); // warm
  return (await timed(async () => {
    for (let i = 0; i < reps; i++) await readMessages(store, KEY, { limit: 20 });
  })) / reps;
}

/** Naive: read the whole file, split, parse the last 20 message lines. */
async function naiveNewest(file) {
  const lines = (await fs.readFile(file, "utf8")).split("\n");
  const out = [];
  for (let i = lines.length - 1; i >= 0 && out.length < 20; i--) {
    if (lines[i]) out.unshift(JSON.parse(lines[i]));
  }
  return out;
}

async function newestReads(root, small, large, log) {
  const smallStore = await bigTranscript(path.join(root, "small"), small);
  const largeStore = await bigTranscript(path.join(root, "large"), large);
  const smallMs = await perRead(smallStore, 300);
  const largeMs = await perRead(largeStore, 300);
  const naiveSmall = (await timed(async () => {
    for (let i = 0; i < 20; i++) await naiveNewest(path.join(smallStore.dir, "big.jsonl"));
  })) / 20;
  const naiveLarge = await timed(() => naiveNewest(path.join(largeStore.dir, "big.jsonl")));
  const bytes = (await fs.stat(path.join(largeStore.dir, "big.jsonl"))).size;
  log(`newest 20: ${small} msgs ${(smallMs * 1000).toFixed(0)} µs, ${large} msgs (${(bytes / 1e6).toFixed(0)} MB) ${(largeMs * 1000).toFixed(0)} µs; naive whole-file read ${naiveSmall.toFixed(2)} ms / ${naiveLarge.toFixed(0)} ms`);
  return { smallUs: smallMs * 1000, largeUs: largeMs * 1000, naiveSmallMs: naiveSmall, naiveLargeMs: naiveLarge, largeVsSmall: largeMs / smallMs };
}

/** claimInbound (new ids, then repeats) against a JSON map rewritten per claim, and a bare O_EXCL create. */
async function claims(root, n, log) {
  const store = { dir: path.join(root, "dedupe-store"), durable: false, now: Date.now };
  const ids = Array.from({ length: n }, (_, i) => ({ channel: "telegram", peerId: "42", messageId: `msg-${i}` }));
  const fresh = await timed(async () => {
    for (const id of ids) await claimInbound(store, id);
  });
  const repeat = await timed(async () => {
    for (const id of ids) await claimInbound(store, id);
  });
  const naiveFile = path.join(root, "naive-dedupe.json");
  const naiveN = Math.min(n, 1000);
  const naive = await timed(async () => {
    const seen = {};
    for (let i = 0; i < naiveN; i++) {
      const text = await fs.readFile(naiveFile, "utf8").catch(() => "{}");
      Object.assign(seen, JSON.parse(text), { [`telegram:42:msg-${i}`]: Date.now() });
      await fs.writeFile(`${naiveFile}.tmp`, JSON.stringify(seen));
      await fs.rename(`${naiveFile}.tmp`, naiveFile);
    }
  });
  await fs.mkdir(path.join(root, "floor"));
  const floor = await timed(async () => {
    for (let i = 0; i < n; i++) await (await fs.open(path.join(root, "floor", String(i)), "wx")).close();
  });
  const perSec = (ms, count) => Math.round((count / ms) * 1000);
  log(`claimInbound x${n}: new ${perSec(fresh, n)}/s, repeats ${perSec(repeat, n)}/s; naive JSON map x${naiveN} ${perSec(naive, naiveN)}/s; bare O_EXCL create ${perSec(floor, n)}/s`);
  return { newPerSec: perSec(fresh, n), repeatPerSec: perSec(repeat, n), naiveMapPerSec: perSec(naive, naiveN), floorPerSec: perSec(floor, n), floorVsNew: fresh / floor };
}

export async function run({ quick, log }) {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "hub-bench-transcripts-"));
  try {
    const append = await appendThroughput(root, quick ? 1000 : 5000, log);
    const durable = await durableAppends(root, quick ? 50 : 200, log);
    const reads = await newestReads(root, 4_000, quick ? 100_000 : 400_000, log);
    const claim = await claims(root, quick ? 500 : 2000, log);
    return {
      figures: {
        appendBurstPerSec: append.burstPerSec,
        appendOneByOnePerSec: append.sequentialPerSec,
        heldFdWritesPerSec: append.heldFdPerSec,
        durableBatchedMs: durable.batchedMs,
        durableOneByOneMs: durable.serialMs,
        newest20SmallUs: reads.smallUs,
        newest20LargeUs: reads.largeUs,
        naiveNewest20LargeMs: reads.naiveLargeMs,
        claimNewPerSec: claim.newPerSec,
        claimRepeatPerSec: claim.repeatPerSec,
        naiveJsonMapClaimPerSec: claim.naiveMapPerSec,
      },
      ratios: {
        appendBurstVsHeldFd: append.burstVsHeldFd,
        durableOneByOneVsBatched: durable.serialVsBatched,
        newest20LargeVsSmall: reads.largeVsSmall,
        claimVsBareCreate: claim.floorVsNew,
      },
      targets: { appendBurstVsHeldFd: 3, newest20LargeVsSmall: 3 },
    };
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}
