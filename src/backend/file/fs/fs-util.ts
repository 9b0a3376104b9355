/**
 * The small file-system questions every store module asks, with one rule: only `ENOENT`
 * means absent; any other error surfaces as a `HubError` naming the file: `E_READ_ONLY` for
 * a read-only file system, `E_NO_SPACE` for a full disk, else `E_IO`.
 */
import fs from "node:fs/promises";
import type { Stats } from "node:fs";
import path from "node:path";
import { HubError, isErrnoCode, type HubErrorCode } from "../../../errors.js";

/** The code for a failed file-system call: a read-only file system, a full disk, or any other I/O failure. */
export function ioErrorCode(error: unknown): HubErrorCode {
  if (isErrnoCode(error, "EROFS")) return "E_READ_ONLY";
  if (isErrnoCode(error, "ENOSPC") || isErrnoCode(error, "EDQUOT")) return "E_NO_SPACE";
  return "E_IO";
}

/** A failed file-system call as a `HubError` naming the file ("cannot <what> <file>: ..."); a HubError passes through. */
export function ioFailure(what: string, file: string, error: unknown): HubError {
  if (error instanceof HubError) return error;
  return new HubError(ioErrorCode(error), `cannot ${what} ${file}: ${(error as Error).message}`, { cause: error, file });
}

/**
 * `mkdir -p` with `mode`. Node's recursive mkdir reports ENOENT when a missing directory cannot
 * be made (a read-only file system, for one); then the first missing directory is made on its
 * own, which fails with the real cause (EROFS, EACCES...). Throws the errno error.
 */
export async function makeDirs(dir: string, mode: number): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode });
    return;
  } catch (error) {
    if (!isErrnoCode(error, "ENOENT")) throw error;
  }
  let missing = path.resolve(dir);
  for (let parent = path.dirname(missing); parent !== missing && (await lstatOrUndefined(parent)) === undefined; parent = path.dirname(parent)) {
    missing = parent;
  }
  await fs.mkdir(missing, { mode }).catch((error: unknown) => {
    if (!isErrnoCode(error, "EEXIST")) throw error;
  });
  await fs.mkdir(dir, { recursive: true, mode });
}

/** The file's own stats (a symlink is not followed); undefined when it does not exist. */
export async function lstatOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(file);
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return undefined;
    throw ioFailure("stat", file, error);
  }
}

/** The stats of what `file` points to; undefined when it does not exist. */
export async function statOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(file);
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return undefined;
    throw ioFailure("stat", file, error);
  }
}

/** Removes a file; false when it was already gone. */
export async function unlinkIfPresent(file: string): Promise<boolean> {
  try {
    await fs.unlink(file);
    return true;
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return false;
    throw ioFailure("remove", file, error);
  }
}

/** The names in `dir` (matching `pattern` when given); none when `dir` does not exist. */
export async function listDirNames(dir: string, pattern?: RegExp): Promise<string[]> {
  try {
    const names = await fs.readdir(dir);
    return pattern ? names.filter((name) => pattern.test(name)) : names;
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return [];
    throw ioFailure("list", dir, error);
  }
}

/**
 * Refuses a directory of the store's own (`dedupe/`, its shards) that is a symlink leading
 * outside `root`, as transcript symlinks are refused: `E_INVALID_SESSION_FILE`. A missing
 * directory, a real one, or a symlink to a directory inside `root` is fine.
 */
export async function assertOwnDir(root: string, dir: string): Promise<void> {
  const stat = await lstatOrUndefined(dir);
  if (stat === undefined || !stat.isSymbolicLink()) return;
  let target: string;
  try {
    target = await fs.realpath(dir);
  } catch (error) {
    if (!isErrnoCode(error, "ENOENT")) throw ioFailure("resolve", dir, error);
    target = "a missing directory";
  }
  const fromRoot = path.relative(await fs.realpath(root), target);
  if (target.startsWith("a missing") || fromRoot === "" || fromRoot.startsWith("..") || path.isAbsolute(fromRoot)) {
    throw new HubError("E_INVALID_SESSION_FILE", `${dir} is a symlink to ${target}, outside the sessions directory ${root}: refused`, { file: dir });
  }
}

/** Directories `assertOwnDirOnce` found to be real directories, in this process. */
const realDirs = new Set<string>();

/** `assertOwnDir`, skipped for a directory already seen to be a real one (no syscall per call). */
export async function assertOwnDirOnce(root: string, dir: string): Promise<void> {
  if (realDirs.has(dir)) return;
  await assertOwnDir(root, dir);
  const stat = await lstatOrUndefined(dir);
  if (stat?.isDirectory() === true) realDirs.add(dir);
}
