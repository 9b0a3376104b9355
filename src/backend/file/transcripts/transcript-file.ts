/**
 * Transcript file I/O: opening a transcript so that it can never be a path outside the
 * sessions directory (symlinks included), and visiting its lines forwards or backwards in
 * chunks, so that the newest lines are found without reading the whole file.
 */
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { HubError, isErrnoCode } from "../../../errors.js";
import { FILE_MODE, ensureDir } from "../fs/atomic.js";
import { ioFailure, lstatOrUndefined } from "../fs/fs-util.js";
import { fileTimestamp } from "../store/paths.js";

const NEWLINE = 0x0a;
const FIRST_CHUNK = 16 * 1024;
const MAX_CHUNK = 1024 * 1024;
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/** One line: `text` without its newline, `start` its first byte, `next` the offset after it. */
export type LineVisitor = (text: string, start: number, next: number) => boolean | void;

function outside(file: string, root: string, target: string): HubError {
  return new HubError("E_INVALID_SESSION_FILE", `transcript ${file} is a symlink to ${target}, outside the sessions directory ${root}`, { file });
}

/** Where a symlinked transcript really is, refused unless that is inside `root`. */
async function realTarget(root: string, file: string): Promise<string> {
  let target: string;
  try {
    target = await fsp.realpath(file);
  } catch (error) {
    if (!isErrnoCode(error, "ENOENT")) throw error;
    throw outside(file, root, await fsp.readlink(file).catch(() => "a missing file"));
  }
  const fromRoot = path.relative(await fsp.realpath(root), target);
  if (fromRoot === "" || fromRoot.startsWith("..") || path.isAbsolute(fromRoot)) throw outside(file, root, target);
  return target;
}

/**
 * Opens the transcript `file` (already resolved inside `root` by `resolveTranscriptPath`).
 * The last path component is opened without following symlinks; a symlink is followed only
 * when its real target is inside `root`, else `E_INVALID_SESSION_FILE`. `append` creates the
 * file (and the directory) when missing; `read` returns null for a missing file.
 */
export async function openTranscript(root: string, file: string, mode: "read"): Promise<fsp.FileHandle | null>;
export async function openTranscript(root: string, file: string, mode: "append"): Promise<fsp.FileHandle>;
export async function openTranscript(root: string, file: string, mode: "read" | "append"): Promise<fsp.FileHandle | null> {
  const c = fs.constants;
  const flags = (mode === "read" ? c.O_RDONLY : c.O_RDWR | c.O_APPEND | c.O_CREAT) | NOFOLLOW;
  try {
    try {
      return await fsp.open(file, flags, FILE_MODE);
    } catch (error) {
      if (isErrnoCode(error, "ELOOP") || isErrnoCode(error, "EMLINK")) return await fsp.open(await realTarget(root, file), flags, FILE_MODE);
      if (!isErrnoCode(error, "ENOENT")) throw error;
      if (mode === "read") return null;
      await ensureDir(root);
      return await fsp.open(file, flags, FILE_MODE);
    }
  } catch (error) {
    if (error instanceof HubError) throw error;
    throw ioFailure("open transcript", file, error);
  }
}

async function readAt(handle: fsp.FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

/**
 * Visits the lines that end at or before `end`, newest first, until `visit` returns true.
 * `end` is a line start or the end of the file; a last line without a newline is visited
 * with `next === end`. Empty lines are not visited.
 */
export async function scanBackward(handle: fsp.FileHandle, end: number, visit: LineVisitor): Promise<void> {
  let position = end;
  let chunk = FIRST_CHUNK;
  let carry: Buffer[] = [];
  let lineEnd = end; // where the line being assembled stops (its newline, or `end`)
  const emit = (parts: Buffer[], start: number): boolean => {
    const next = lineEnd === end ? end : lineEnd + 1;
    const bytes = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    return bytes.length > 0 && visit(bytes.toString("utf8"), start, next) === true;
  };
  while (position > 0) {
    const size = Math.min(chunk, position);
    position -= size;
    const buffer = await readAt(handle, position, size);
    let stop = buffer.length;
    for (let i = buffer.lastIndexOf(NEWLINE, stop - 1); i !== -1; i = i === 0 ? -1 : buffer.lastIndexOf(NEWLINE, i - 1)) {
      if (emit([buffer.subarray(i + 1, stop), ...carry], position + i + 1)) return;
      carry = [];
      stop = i;
      lineEnd = position + i;
    }
    if (stop > 0) carry.unshift(buffer.subarray(0, stop));
    if (stop === buffer.length) chunk = Math.min(chunk * 2, MAX_CHUNK); // a long line: read more at once
  }
  if (carry.length > 0) emit(carry, 0);
}

/** Visits the lines from `start` (a line start) to the end of the file, oldest first, until `visit` returns true. */
export async function scanForward(handle: fsp.FileHandle, start: number, visit: LineVisitor): Promise<void> {
  let position = start;
  let lineStart = start;
  let chunk = FIRST_CHUNK;
  let carry: Buffer[] = [];
  for (;;) {
    const buffer = await readAt(handle, position, chunk);
    if (buffer.length === 0) break;
    let from = 0;
    for (let i = buffer.indexOf(NEWLINE); i !== -1; i = buffer.indexOf(NEWLINE, i + 1)) {
      const parts = [...carry, buffer.subarray(from, i)];
      const bytes = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
      if (bytes.length > 0 && visit(bytes.toString("utf8"), lineStart, position + i + 1) === true) return;
      carry = [];
      from = i + 1;
      lineStart = position + i + 1;
    }
    if (from < buffer.length) carry.push(buffer.subarray(from));
    if (from === 0) chunk = Math.min(chunk * 2, MAX_CHUNK);
    position += buffer.length;
  }
  const rest = Buffer.concat(carry);
  if (rest.length > 0) visit(rest.toString("utf8"), lineStart, position);
}

/** The byte length of an open file. */
export async function sizeOf(handle: fsp.FileHandle): Promise<number> {
  return (await handle.stat()).size;
}

/** True when the last byte of a non-empty file is a newline. */
export async function endsWithNewline(handle: fsp.FileHandle, size: number): Promise<boolean> {
  if (size === 0) return true;
  const last = await readAt(handle, size - 1, 1);
  return last[0] === NEWLINE;
}

/** The end of the last complete line: the file's size unless it ends with a torn line. */
export async function completeEnd(handle: fsp.FileHandle, size: number): Promise<number> {
  if (await endsWithNewline(handle, size)) return size;
  let end = 0;
  await scanBackward(handle, size, (_text, start) => {
    end = start;
    return true;
  });
  return end;
}

/** Writes all of `data` at the end of a file opened with O_APPEND. */
export async function appendAll(handle: fsp.FileHandle, data: string): Promise<void> {
  const bytes = Buffer.from(data, "utf8");
  let written = 0;
  while (written < bytes.length) {
    const result = await handle.write(bytes, written, bytes.length - written);
    written += result.bytesWritten;
  }
}

/** fsyncs a directory so that a newly created file's name survives a power loss. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, fs.constants.O_RDONLY);
  try {
    await handle.sync();
  } catch (error) {
    // Some platforms cannot fsync a directory; the file's own data is already synced.
    if (!isErrnoCode(error, "EINVAL") && !isErrnoCode(error, "EISDIR") && !isErrnoCode(error, "EPERM")) throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Copies a transcript that cannot be continued to `<file>.corrupt.<time>` (a `-<n>` suffix
 * when taken) before it is started afresh; returns the copy's path. Never overwrites a file.
 */
export async function copyAside(file: string, nowMs: number, durable: boolean): Promise<string> {
  const stamp = `${file}.corrupt.${fileTimestamp(nowMs)}`;
  let target = stamp;
  for (let n = 1; (await lstatOrUndefined(target)) !== undefined; n++) target = `${stamp}-${n}`;
  await fsp.copyFile(file, target, fs.constants.COPYFILE_EXCL);
  if (durable) {
    const handle = await fsp.open(target, "r");
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await syncDir(path.dirname(target));
  }
  return target;
}
