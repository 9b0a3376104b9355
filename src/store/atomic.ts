/**
 * The one atomic file write (write-file-atomic: temp file in the same directory, fsync,
 * rename, temp removed on failure), and the directory it needs.
 */
import { statSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import writeFileAtomicLib from "write-file-atomic";
import { HubError } from "../errors.js";
import { ioErrorCode, makeDirs } from "./fs-util.js";

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Creates `dir` (and parents) with mode 0700 when missing. */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await makeDirs(dir, DIR_MODE);
  } catch (error) {
    throw new HubError(ioErrorCode(error), `cannot create directory ${dir}: ${(error as Error).message}`, { cause: error, file: dir });
  }
}

/** Replaces `file` with `data` atomically (mode 0600); `durable` fsyncs before the rename. */
export async function writeFileAtomic(file: string, data: string | Buffer, options: { durable: boolean }): Promise<void> {
  const write = () => writeFileAtomicLib(file, data, { mode: FILE_MODE, fsync: options.durable });
  try {
    try {
      await write();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      await ensureDir(path.dirname(file));
      await write();
    }
  } catch (error) {
    if (error instanceof HubError) throw error;
    throw new HubError("E_IO", `cannot write ${file}: ${(error as Error).message}`, { cause: error, file });
  }
}

/**
 * A stat fingerprint (inode, size, mtime and ctime in ns) that changes with every write,
 * atomic or in place; `null` when the file does not exist.
 */
export async function fingerprint(file: string): Promise<string | null> {
  try {
    // One stat per cached read: synchronously it costs a few µs, through the thread pool ~40.
    const s = statSync(file, { bigint: true });
    return fingerprintOf(s);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new HubError("E_IO", `cannot stat ${file}: ${(error as Error).message}`, { cause: error, file });
  }
}

export function fingerprintOf(s: { ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): string {
  return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

/** Reads a file with the fingerprint of exactly the bytes read; `null` when absent. */
export async function readWithFingerprint(file: string): Promise<{ text: string; fp: string } | null> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new HubError("E_IO", `cannot open ${file}: ${(error as Error).message}`, { cause: error, file });
  }
  try {
    const fp = fingerprintOf(await handle.stat({ bigint: true }));
    const text = await handle.readFile("utf8");
    return { text, fp };
  } catch (error) {
    throw new HubError("E_IO", `cannot read ${file}: ${(error as Error).message}`, { cause: error, file });
  } finally {
    await handle.close();
  }
}
