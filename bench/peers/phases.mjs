// The loops of the peers suite: rounds one at a time (per-round latency, contenders taking
// turns in blocks, the order rotated every repetition, so all of them meet the same machine
// weather; each contender in its own process), and many conversations at once (run by each
// throughput worker).
import { median, percentile } from "./workload.mjs";

const rotate = (list, by) => list.map((_, i) => list[(i + by) % list.length]);

/**
 * Per-round latency: `reps` repetitions; in each, every contender (round-process.mjs) runs a
 * block of rounds on conversation `conv`, ended by `blockRounds` or `blockMs`, whichever comes
 * first (a slow contender still runs one round per block). Returns the round times (ms) per
 * contender.
 */
export async function perRound(contenders, { conv, reps, blockRounds, blockMs, tally }) {
  const times = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let rep = 0; rep < reps; rep++) {
    // Rotated, and reversed every other repetition: each contender starts a repetition in turn,
    // and none always runs right after the same one (the naive store leaves the disk busy).
    const order = rotate(rep % 2 === 0 ? contenders : [...contenders].reverse(), rep);
    for (const contender of order) {
      const block = await contender.block({ conv, first: 0, rounds: blockRounds, blockMs, tag: `r${rep}` });
      times[contender.name].push(...block);
      tally(contender.name, block.length);
    }
  }
  return Object.fromEntries(
    Object.entries(times).map(([name, list]) => [name, { rounds: list.length, p50: median(list), p90: percentile(list, 0.9) }]),
  );
}

/**
 * Every conversation loops rounds until `windowMs` has passed; rounds/s counts every round
 * completed, over the time until the last one settles.
 */
export async function manyAtOnce(contender, convs, windowMs, tag) {
  let rounds = 0;
  const started = performance.now();
  await Promise.all(
    convs.map(async (conv) => {
      for (let seq = 0; performance.now() - started < windowMs; seq++) {
        await contender.round(conv, seq, tag);
        rounds++;
      }
    }),
  );
  return { rounds, ms: performance.now() - started };
}

/** One warm-up round per conversation (transcripts created, store loaded), concurrently. */
export async function warmUp(contender, convs, tag) {
  await Promise.all(convs.map((conv) => contender.round(conv, 0, tag)));
  return convs.length;
}
