// The naive sessions.json update, as clawdbot does it: a lock file created with `wx` and
// polled every 25 ms, the whole file parsed with JSON5, one entry changed (updatedAt bumped,
// as clawdbot did on every write), the whole store pretty-printed, written to a temp file and
// renamed into place. The yardstick for bench/suites/store.mjs; not used by the library.
import fs from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import JSON5 from "json5";

const POLL_MS = 25;

async function lock(lockPath) {
  for (;;) {
    try {
      const handle = await fs.open(lockPath, "wx");
      await handle.close();
      return;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      await sleep(POLL_MS);
    }
  }
}

async function readStore(file) {
  try {
    return JSON5.parse(await fs.readFile(file, "utf8"));
  } catch (error) {
    if (error.code === "ENOENT") return {};
    throw error;
  }
}

let tmpCounter = 0;

/** Merges `patch` into the entry under `key` (creating it) with the naive algorithm. */
export async function naiveUpdate(file, key, patch) {
  const lockPath = `${file}.lock`;
  await lock(lockPath);
  try {
    const store = await readStore(file);
    store[key] = { ...store[key], ...patch, updatedAt: Date.now() };
    const tmp = `${file}.${process.pid}.${++tmpCounter}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(store, null, 2));
    await fs.rename(tmp, file);
  } finally {
    await fs.unlink(lockPath);
  }
}
