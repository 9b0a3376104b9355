#!/usr/bin/env node
import { main } from "./main.js";
import { flushed, processIo } from "./process-io.js";

const code = await main(process.argv.slice(2), processIo());
// The command is done: exit once its output is flushed, without waiting for the garbage
// collector's pending work and the heap's teardown (~15 ms after listing 10k sessions).
await flushed(process.stdout);
await flushed(process.stderr);
process.exit(code);
