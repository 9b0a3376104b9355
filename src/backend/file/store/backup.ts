/**
 * What keeps a session from ever being lost: before each write the current good file is
 * hard-linked as `sessions.json.bak` (O(1), no copy), and the bytes of a file that cannot be
 * parsed are kept as `sessions.json.corrupt.<timestamp>` before the store is restored.
 */
import { linkSync, renameSync, rmSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { HubError, isErrnoCode } from "../../../errors.js";
import { FILE_MODE, ioFailure, readWithFingerprint, writeFileAtomic } from "../fs/atomic.js";
import { parseStore, type ParsedStore } from "./codec.js";
import { listDirNames, lstatOrUndefined } from "../fs/fs-util.js";
import { fileTimestamp } from "./paths.js";

export function backupPathOf(file: string): string {
  return `${file}.bak`;
}

/**
 * Makes the file as it is now the backup. The store is written by rename, so the linked
 * inode is never modified afterwards: the backup is the last good version before the write.
 */
export async function snapshotBackup(file: string): Promise<void> {
  const backup = backupPathOf(file);
  const staging = `${backup}.${process.pid}`;
  // Metadata-only syscalls, done synchronously: cheaper than as many thread-pool round trips.
  rmSync(staging, { force: true });
  try {
    linkSync(file, staging);
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return;
    // File systems without hard links get a copy.
    if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "EXDEV", "EMLINK"].includes((error as NodeJS.ErrnoException).code ?? "")) {
      throw new HubError("E_IO", `cannot back up ${file}: ${(error as Error).message}`, { cause: error, file });
    }
    await fs.copyFile(file, staging);
    await fs.chmod(staging, FILE_MODE);
  }
  renameSync(staging, backup);
}

/**
 * Copies a corrupt store's bytes to `<file>.corrupt.<timestamp>` (written durably, under a name
 * not taken yet) and leaves the store itself in place: it is replaced afterwards by one rename,
 * so there is never an instant without a store. Returns the copy, or `undefined` when the
 * store does not exist.
 */
export async function keepCorruptCopy(file: string, nowMs: number, durable: boolean): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return undefined;
    throw ioFailure("read", file, error);
  }
  let target = `${file}.corrupt.${fileTimestamp(nowMs)}`;
  for (let n = 1; (await lstatOrUndefined(target)) !== undefined; n++) target = `${file}.corrupt.${fileTimestamp(nowMs)}-${n}`;
  await writeFileAtomic(target, bytes, { durable });
  return target;
}

/** Whether any `<file>.corrupt.*` copy exists next to the store. */
export async function hasCorruptCopies(file: string): Promise<boolean> {
  const prefix = `${path.basename(file)}.corrupt.`;
  return (await listDirNames(path.dirname(file))).some((name) => name.startsWith(prefix));
}

/** The backup, parsed; `undefined` when there is none or it is not usable either. */
export async function readBackup(file: string): Promise<{ text: string; parsed: ParsedStore } | undefined> {
  const backup = backupPathOf(file);
  const read = await readWithFingerprint(backup);
  if (read === null) return undefined;
  const { text } = read;
  try {
    return { text, parsed: parseStore(text, backup) };
  } catch (error) {
    if (error instanceof HubError && error.code === "E_CORRUPT_STORE") return undefined;
    throw error;
  }
}
