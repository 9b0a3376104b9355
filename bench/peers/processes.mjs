// Several processes sharing one state directory (or one SQLite file), each with its own
// conversations: rounds/s over all of them, and the transcript lines counted afterwards.
import { fork } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./workload.mjs";

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), "worker.mjs");

function spawnWorker(peer, dir, convs, windowMs, tag) {
  const child = fork(WORKER, [peer, dir, convs.join(","), String(windowMs), tag], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const next = () =>
    new Promise((resolve, reject) => {
      const onExit = (code) => reject(new Error(`${peer} worker exited with ${code} before reporting: ${stderr.trim()}`));
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
async function once(peer, dir, convs, procs, windowMs, tag) {
  const workers = Array.from({ length: procs }, (_, p) => spawnWorker(peer, dir, convs.filter((_, i) => i % procs === p), windowMs, `${tag}p${p}`));
  await Promise.all(workers.map((w) => w.next()));
  const reports = workers.map((w) => w.next());
  const started = performance.now();
  for (const w of workers) w.child.send("go");
  const done = await Promise.all(reports);
  const ms = performance.now() - started;
  await Promise.all(workers.map((w) => w.exited));
  const measured = done.reduce((sum, r) => sum + r.measured, 0);
  return { rounds: done.reduce((sum, r) => sum + r.rounds, 0), roundsPerSec: (measured / ms) * 1000 };
}

/**
 * `reps` runs per contender, alternating; `dirs` maps a contender name to its directory,
 * `tally(name, rounds)` counts every round for the lost-update check.
 */
export async function processes(dirs, { convs, procs, reps, windowMs, tally }) {
  const rates = Object.fromEntries(Object.keys(dirs).map((name) => [name, []]));
  for (let rep = 0; rep < reps; rep++) {
    const names = rep % 2 ? Object.keys(dirs).reverse() : Object.keys(dirs);
    for (const name of names) {
      const { rounds, roundsPerSec } = await once(name, dirs[name], convs, procs, windowMs, `x${rep}`);
      tally(name, rounds);
      rates[name].push(roundsPerSec);
    }
  }
  return Object.fromEntries(Object.entries(rates).map(([name, list]) => [name, { roundsPerSec: median(list), runs: list.length }]));
}
