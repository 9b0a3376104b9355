/**
 * Recovering a store that cannot be used as it is: a corrupt file, or a missing one next to
 * a backup. The order is what makes a crash at any instant harmless: the corrupt bytes are
 * copied out first (durably), then the store is replaced by one rename with the backup's
 * content (or `{}`), so a restart finds either the corrupt file (and recovers again) or the
 * restored one, never no store.
 */
import { HubError } from "../../../errors.js";
import { fingerprint, writeFileAtomic } from "../fs/atomic.js";
import { backupPathOf, hasCorruptCopies, keepCorruptCopy, readBackup } from "./backup.js";
import type { Slot } from "./codec.js";
import { lstatOrUndefined } from "../fs/fs-util.js";
import type { StoreWarning } from "./session-store.js";

export interface Recovered {
  slots: Map<string, Slot>;
  /** The fingerprint of the file as recovery left it. */
  fp: string | null;
}

/** Restores the store at `file`; call only while holding its lock. */
export async function recoverStore(
  file: string,
  error: HubError,
  options: { nowMs: number; durable: boolean; warn: (warning: StoreWarning) => void },
): Promise<Recovered> {
  const kept = await keepCorruptCopy(file, options.nowMs, options.durable);
  const backup = await readBackup(file);
  await writeFileAtomic(file, backup?.text ?? "{}", { durable: options.durable });
  const outcome = backup ? `restored ${backup.parsed.slots.size} sessions from ${backupPathOf(file)}` : "no usable backup, starting empty";
  const where = kept === undefined ? "" : `; its bytes are kept in ${kept}`;
  options.warn({ code: "E_CORRUPT_STORE", message: `${error.message}${where}; ${outcome}`, file: kept ?? file });
  return { slots: backup?.parsed.slots ?? new Map(), fp: await fingerprint(file) };
}

/**
 * What a missing store means. With a backup beside it, the store was lost (a crash of an
 * older version mid-recovery, a stray `rm`): `E_CORRUPT_STORE`, recovered from the backup
 * under the lock. With only `.corrupt.*` copies beside it, the empty store is adopted with a
 * warning (`"warn"`). Otherwise it is simply new (`undefined`).
 */
export async function missingStoreState(file: string): Promise<HubError | "warn" | undefined> {
  if ((await lstatOrUndefined(backupPathOf(file))) !== undefined) {
    const message = `${file} is missing but ${backupPathOf(file)} exists (to start afresh, remove both)`;
    return new HubError("E_CORRUPT_STORE", message, { file });
  }
  return (await hasCorruptCopies(file)) ? "warn" : undefined;
}
