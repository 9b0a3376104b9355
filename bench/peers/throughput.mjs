// Rounds/s with many conversations at once, run in child processes (bench/peers/worker.mjs):
// one process holding all conversations, or several sharing one state directory (or one
// SQLite file), each with its own conversations. A contender that crashes (session-hub runs
// out of heap with 100 conversations at 100k entries) is reported, not fatal to the run.
import { fork } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./workload.mjs";

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), "worker.mjs");

/** The line of a crashed worker's stderr that says why (V8's "FATAL ERROR", a thrown error). */
const headline = (stderr) => {
  const lines = stderr.split("\n").map((line) => line.trim()).filter(Boolean);
  return lines.find((line) => /FATAL ERROR|^\w*Error\b/.test(line)) ?? lines.at(-1) ?? "no output";
};

function spawnWorker(peer, dir, convs, windowMs, tag, warm) {
  const child = fork(WORKER, [peer, dir, convs.join(","), String(windowMs), tag, warm], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const next = () =>
    new Promise((resolve, reject) => {
      const onExit = (code, signal) => reject(new Error(`${peer} worker exited (${signal ?? code}) before reporting: ${headline(stderr)}`));
      child.once("exit", onExit);
      child.once("message", (message) => {
        child.off("exit", onExit);
        resolve(message);
      });
    });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return { child, next, exited };
}

/** One run: `procs` workers on `dir`, started together; returns all rounds and rounds/s. */
async function once(peer, dir, convs, procs, windowMs, tag, warm) {
  const workers = Array.from({ length: procs }, (_, p) => spawnWorker(peer, dir, convs.filter((_, i) => i % procs === p), windowMs, `${tag}p${p}`, warm));
  let done;
  let ms;
  try {
    await Promise.all(workers.map((w) => w.next()));
    const reports = workers.map((w) => w.next());
    const started = performance.now();
    for (const w of workers) w.child.send("go");
    done = await Promise.all(reports);
    ms = performance.now() - started;
  } catch (error) {
    // One worker failed: the others would wait for "go" (or run on) forever.
    for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
    throw error;
  }
  await Promise.all(workers.map((w) => w.exited));
  const measured = done.reduce((sum, r) => sum + r.measured, 0);
  return { rounds: done.reduce((sum, r) => sum + r.rounds, 0), roundsPerSec: (measured / ms) * 1000 };
}

/**
 * `reps` runs per contender, alternating; `dirs` maps a contender name to its directory;
 * `warmAll`: the first run warms every conversation up (else one round per process);
 * `tally(name, rounds)` counts every round for the lost-update check. A contender whose run
 * fails gets `roundsPerSec: null` and the `error`, and no further runs.
 */
export async function throughput(dirs, { convs, procs, reps, windowMs, warmAll, tag, tally }) {
  const rates = Object.fromEntries(Object.keys(dirs).map((name) => [name, []]));
  const errors = {};
  for (let rep = 0; rep < reps; rep++) {
    const names = rep % 2 ? Object.keys(dirs).reverse() : Object.keys(dirs);
    for (const name of names.filter((n) => errors[n] === undefined)) {
      try {
        const { rounds, roundsPerSec } = await once(name, dirs[name], convs, procs, windowMs, `${tag}${rep}`, warmAll && rep === 0 ? "all" : "one");
        tally(name, rounds);
        rates[name].push(roundsPerSec);
      } catch (error) {
        errors[name] = error.message;
      }
    }
  }
  return Object.fromEntries(
    Object.entries(rates).map(([name, list]) => [name, errors[name] === undefined ? { roundsPerSec: median(list), runs: list.length } : { roundsPerSec: null, runs: list.length, error: errors[name] }]),
  );
}
