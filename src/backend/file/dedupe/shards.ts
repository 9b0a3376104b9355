/**
 * The dedupe directory's 256 shards (`00` to `ff`), made ahead of need: the first time this
 * process claims in a directory, the missing shards are made one after another in the
 * background. Making a directory costs about 0.8 ms on this project's test machine's ext4
 * (README decisions), which the first claim of each shard would otherwise pay on its
 * message's path: a new gateway's first few hundred messages.
 */
import fsp from "node:fs/promises";
import path from "node:path";
import { isErrnoCode } from "../../../errors.js";
import { DIR_MODE } from "../fs/atomic.js";
import { listDirNames } from "../fs/fs-util.js";

export const SHARD_NAME = /^[0-9a-f]{2}$/;
export const SHARD_COUNT = 256;

/** Per directory, this process's preparation: the work in flight, and whether it was told to stop. */
const preparing = new Map<string, { work: Promise<void>; stopped: boolean }>();

function shardName(index: number): string {
  return index.toString(16).padStart(2, "0");
}

/**
 * Starts making the missing shards of `dir` (once per process until stopped). Failures are
 * process warnings; a directory removed meanwhile ends it quietly.
 */
export function prepareShards(dir: string): void {
  if (preparing.has(dir)) return;
  const state = { work: Promise.resolve(), stopped: false };
  state.work = makeShards(dir, state).catch((error: unknown) => {
    if (isErrnoCode(error, "ENOENT")) return; // the directory went (a removed state dir)
    process.emitWarning(`session-hub: making the dedupe shards in ${dir} failed: ${(error as Error).message}`, { code: "E_IO" });
  });
  preparing.set(dir, state);
}

/** Stops making the shards of `dir` (the one being made finishes): for close. A later claim starts again. */
export async function stopPreparingShards(dir: string): Promise<void> {
  const state = preparing.get(dir);
  if (state === undefined) return;
  state.stopped = true;
  await state.work;
  if (preparing.get(dir) === state) preparing.delete(dir);
}

async function makeShards(dir: string, state: { stopped: boolean }): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: DIR_MODE });
  const existing = new Set(await listDirNames(dir, SHARD_NAME));
  for (let index = 0; index < SHARD_COUNT && !state.stopped; index++) {
    const name = shardName(index);
    if (existing.has(name)) continue;
    try {
      await fsp.mkdir(path.join(dir, name), { mode: DIR_MODE });
    } catch (error) {
      if (!isErrnoCode(error, "EEXIST")) throw error;
    }
  }
}
