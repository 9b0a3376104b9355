// Plays another process's compaction, paused: takes the store's lock, sets the clock journal
// aside as a compaction does (an empty `.clock.1` marker), prints "inside", waits until
// `<store>.go` exists, then ends as a compaction ends (`.clock.1` removed, lock released).
// Usage: node compaction-pause.mjs <store>
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { acquireLock } from "../../../../dist/backend/file/lock/lock.js";

const [file] = process.argv.slice(2);
const lock = await acquireLock(file, { timeoutMs: 10_000, staleMs: 60_000 });
fs.closeSync(fs.openSync(`${file}.clock.1`, "wx"));
process.stdout.write("inside\n");
while (!fs.existsSync(`${file}.go`)) await sleep(20);
fs.unlinkSync(`${file}.clock.1`);
await lock.release();
process.stdout.write("done\n");
