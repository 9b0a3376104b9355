#!/usr/bin/env node
// npm run bench [-- --json] [-- --only store,keys] [-- --quick] (suites read further options from args)
// Runs every suite in bench/suites/, each comparing our code side by side with the naive
// approach and the raw floor in the same run, and prints figures and ratios (or JSON).
import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const json = args.includes("--json");
const quick = args.includes("--quick");
const onlyArg = args.find((a) => a.startsWith("--only"));
const only = onlyArg ? (onlyArg.includes("=") ? onlyArg.split("=")[1] : args[args.indexOf(onlyArg) + 1]).split(",") : undefined;

const here = path.dirname(fileURLToPath(import.meta.url));
const suitesDir = path.join(here, "suites");
const files = (await readdir(suitesDir)).filter((f) => f.endsWith(".mjs")).sort();

const log = json ? () => {} : (line) => process.stdout.write(`${line}\n`);
const results = [];
for (const file of files) {
  const name = file.replace(/\.mjs$/, "");
  if (only && !only.includes(name)) continue;
  const suite = await import(pathToFileURL(path.join(suitesDir, file)).href);
  log(`\n## ${suite.title ?? name}`);
  const started = performance.now();
  const result = await suite.run({ quick, log, args });
  results.push({ suite: name, title: suite.title ?? name, seconds: +((performance.now() - started) / 1000).toFixed(1), ...result });
}
if (json) process.stdout.write(`${JSON.stringify({ node: process.version, date: new Date().toISOString(), results }, null, 2)}\n`);
