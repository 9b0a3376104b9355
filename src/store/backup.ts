/**
 * What keeps a session from ever being lost: before each write the current good file is
 * hard-linked as `sessions.json.bak` (O(1), no copy), and a file that cannot be parsed is
 * moved aside as `sessions.json.corrupt.<timestamp>`, never overwritten.
 */
import { linkSync, renameSync, rmSync } from "node:fs";
import fs from "node:fs/promises";
import { HubError, isErrnoCode } from "../errors.js";
import { FILE_MODE } from "./atomic.js";
import { parseStore, type ParsedStore } from "./codec.js";
import { lstatOrUndefined } from "./fs-util.js";
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

/** Moves a corrupt store aside, keeping its bytes; returns where it went. */
export async function quarantine(file: string, nowMs: number): Promise<string> {
  let target = `${file}.corrupt.${fileTimestamp(nowMs)}`;
  for (let n = 1; (await lstatOrUndefined(target)) !== undefined; n++) target = `${file}.corrupt.${fileTimestamp(nowMs)}-${n}`;
  await fs.rename(file, target);
  return target;
}


/** The backup, parsed; `undefined` when there is none or it is not usable either. */
export async function readBackup(file: string): Promise<{ text: string; parsed: ParsedStore } | undefined> {
  const backup = backupPathOf(file);
  let text: string;
  try {
    text = await fs.readFile(backup, "utf8");
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return undefined;
    throw error;
  }
  try {
    return { text, parsed: parseStore(text, backup) };
  } catch (error) {
    if (error instanceof HubError && error.code === "E_CORRUPT_STORE") return undefined;
    throw error;
  }
}
