/**
 * The small file-system questions every store module asks, with one rule: only `ENOENT`
 * means absent; any other error surfaces as `HubError` `E_IO` naming the file.
 */
import fs from "node:fs/promises";
import type { Stats } from "node:fs";
import { HubError, isErrnoCode } from "../errors.js";

function ioError(what: string, file: string, error: unknown): HubError {
  return new HubError("E_IO", `cannot ${what} ${file}: ${(error as Error).message}`, { cause: error, file });
}

/** The file's own stats (a symlink is not followed); undefined when it does not exist. */
export async function lstatOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(file);
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return undefined;
    throw ioError("stat", file, error);
  }
}

/** The stats of what `file` points to; undefined when it does not exist. */
export async function statOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(file);
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return undefined;
    throw ioError("stat", file, error);
  }
}

/** Removes a file; false when it was already gone. */
export async function unlinkIfPresent(file: string): Promise<boolean> {
  try {
    await fs.unlink(file);
    return true;
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return false;
    throw ioError("remove", file, error);
  }
}

/** The names in `dir` (matching `pattern` when given); none when `dir` does not exist. */
export async function listDirNames(dir: string, pattern?: RegExp): Promise<string[]> {
  try {
    const names = await fs.readdir(dir);
    return pattern ? names.filter((name) => pattern.test(name)) : names;
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return [];
    throw ioError("list", dir, error);
  }
}
