/**
 * Invalid entries are kept in sessions.json untouched; when a write replaces one (a message
 * arrives for its key), its bytes are first saved as `sessions.json.invalid.<time>`, a store
 * file of just those entries, so that nothing the store did not understand is lost.
 */
import { serializeStore, type Slot } from "./codec.js";
import { writeFileAtomic } from "../fs/atomic.js";
import { lstatOrUndefined } from "../fs/fs-util.js";
import { fileTimestamp } from "./paths.js";

export const INVALID_MARKER = ".invalid.";

/**
 * Saves the invalid entries of `slots` that `changes` replace with a new entry; returns the
 * file and keys, or undefined when none is replaced. (A delete removes one as asked.)
 */
export async function keepReplacedInvalid(
  storePath: string,
  slots: ReadonlyMap<string, Slot>,
  changes: ReadonlyMap<string, Slot | null>,
  options: { now: number; durable: boolean },
): Promise<{ file: string; keys: string[] } | undefined> {
  const kept = new Map<string, Slot>();
  for (const [key, change] of changes) {
    const slot = slots.get(key);
    if (change !== null && slot?.invalid !== undefined) kept.set(key, slot);
  }
  if (kept.size === 0) return undefined;
  const stamp = `${storePath}${INVALID_MARKER}${fileTimestamp(options.now)}`;
  let file = stamp;
  for (let n = 1; (await lstatOrUndefined(file)) !== undefined; n++) file = `${stamp}-${n}`;
  await writeFileAtomic(file, serializeStore(kept), { durable: options.durable });
  return { file, keys: [...kept.keys()] };
}
