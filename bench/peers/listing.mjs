// `hub sessions --json` as a whole process against a plain node script listing the same
// sessions from SQLite: spawn to exit, stdout drained and checked, median of `reps`.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./workload.mjs";

const LISTER = path.join(path.dirname(fileURLToPath(import.meta.url)), "list-sqlite.mjs");

function timedRun([command, args], expectedCount) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out = [];
    let stderr = "";
    child.stdout.on("data", (chunk) => out.push(chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`${path.basename(args[0])} exited with ${code}: ${stderr.trim()}`));
      const count = JSON.parse(Buffer.concat(out).toString("utf8")).count;
      if (count !== expectedCount) return reject(new Error(`${path.basename(args[0])} listed ${count} sessions, expected ${expectedCount}`));
      resolve(ms);
    });
  });
}

/** `commands`: { hub: [cmd, args], sqlite: [cmd, args] }; returns the median ms per name. */
export async function listing(commands, { reps, expectedCount }) {
  const times = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (let rep = 0; rep < reps; rep++) {
    const names = rep % 2 ? Object.keys(commands).reverse() : Object.keys(commands);
    for (const name of names) times[name].push(await timedRun(commands[name], expectedCount));
  }
  return Object.fromEntries(Object.entries(times).map(([name, list]) => [name, { ms: median(list), runs: list.length }]));
}

export const sqliteListCommand = (file) => [process.execPath, [LISTER, file]];
