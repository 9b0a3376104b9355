// Options of the peers suite (after `npm run bench --`): --sizes, --reps, --conversations,
// --procs, --naive-max-mb, --phases (a subset of per-round,concurrent,processes,listing; default
// all: `--phases listing` measures only `hub sessions --json`); --quick picks small defaults.
import { parseArgs } from "node:util";
import { parseSizes } from "./workload.mjs";

const FULL = { sizes: "1k,10k,100k,1k-fat,10k-fat", reps: 10, warmRounds: 200, blockRounds: 30, blockMs: 1_500, windowMs: 3_000, throughputReps: 3, conversations: 100, listReps: 7 };
const QUICK = { sizes: "1k,10k,1k-fat", reps: 2, warmRounds: 3, blockRounds: 10, blockMs: 300, windowMs: 600, throughputReps: 1, conversations: 20, listReps: 3 };

function positiveInt(values, name, fallback) {
  if (values[name] === undefined) return fallback;
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got "${values[name]}"`);
  return value;
}

export function peersOptions(args, quick) {
  const { values } = parseArgs({
    args,
    options: { sizes: { type: "string" }, reps: { type: "string" }, conversations: { type: "string" }, procs: { type: "string" }, "naive-max-mb": { type: "string" }, phases: { type: "string" } },
    strict: false,
    allowPositionals: true,
  });
  const base = quick ? QUICK : FULL;
  const sizes = parseSizes(typeof values.sizes === "string" ? values.sizes : base.sizes);
  const reps = positiveInt(values, "reps", base.reps);
  const lean = sizes.filter((s) => !s.fat);
  const procsSize = lean.find((s) => s.n === 10_000) ?? [...lean].filter((s) => s.n <= 10_000).sort((a, b) => b.n - a.n)[0];
  const phases = parsePhases(values.phases);
  return {
    quick,
    sizes,
    reps,
    warmRounds: base.warmRounds,
    blockRounds: base.blockRounds,
    blockMs: base.blockMs,
    windowMs: base.windowMs,
    throughputReps: Math.min(reps, base.throughputReps),
    listReps: values.reps === undefined ? base.listReps : reps,
    conversations: positiveInt(values, "conversations", base.conversations),
    procs: positiveInt(values, "procs", 4),
    naiveMaxBytes: positiveInt(values, "naive-max-mb", 50) * 1e6,
    // Which sizes get which phase: all for per-round, lean ones for concurrency, lean up to
    // 10k for the listing, one (10k when asked for) for the processes.
    perRoundAt: () => phases.has("per-round"),
    concurrentAt: (s) => phases.has("concurrent") && !s.fat,
    listAt: (s) => phases.has("listing") && !s.fat && s.n <= 10_000,
    processesAt: (s) => phases.has("processes") && s === procsSize,
  };
}

const PHASES = ["per-round", "concurrent", "processes", "listing"];

function parsePhases(text) {
  if (text === undefined) return new Set(PHASES);
  const phases = String(text).split(",").map((p) => p.trim());
  const unknown = phases.find((p) => !PHASES.includes(p));
  if (unknown !== undefined) throw new Error(`--phases: expected some of ${PHASES.join(",")}; got "${unknown}"`);
  if (phases.includes("processes") && !phases.includes("concurrent")) throw new Error("--phases: processes needs concurrent (it reuses the conversations that phase warms up)");
  return new Set(phases);
}
