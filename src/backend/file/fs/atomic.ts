/**
 * The one atomic file write, and the bounded read of a whole store. A write goes to a temp
 * file in the same directory, writes every byte (a short write is continued, never ignored),
 * fsyncs, renames over the target and fsyncs the directory; on any failure the temp file is
 * removed and the target is untouched. Errors say what happened: a full disk is `E_NO_SPACE`,
 * a read-only file system `E_READ_ONLY`, anything else `E_IO`, each with the original cause.
 */
import { realpathSync, renameSync, statSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { HubError, isErrnoCode } from "../../../errors.js";
import { ioFailure, makeDirs } from "./fs-util.js";

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;
/**
 * The largest store that is loaded (bytes). A JavaScript string holds at most 2^29 - 24
 * characters (~512 MB) and `JSON.parse` needs one; 500 MiB leaves a margin below that.
 */
export const MAX_STORE_BYTES = 500 * 1024 * 1024;

/** A failed file-system call as a `HubError`: the code says whether space, permission or the device failed. */
export { ioFailure };

/** `E_STORE_TOO_LARGE` for a store of `size` bytes, naming the size and the remedies. */
export function tooLarge(file: string, size: number, limit: number): HubError {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return new HubError(
    "E_STORE_TOO_LARGE",
    `${file} is ${mb(size)} (${size} bytes), over the ${mb(limit)} a store may have to be loaded (one JavaScript string holds at most ~512 MB): ` +
      "make it smaller (prune old sessions, or move old entries out with a streaming JSON tool while no gateway runs) or use the Postgres backend",
    { file },
  );
}

/** Creates `dir` (and parents) with mode 0700 when missing. */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await makeDirs(dir, DIR_MODE);
  } catch (error) {
    throw ioFailure("create directory", dir, error);
  }
}

export interface AtomicWriteOptions {
  /** fsync the file before the rename and its directory after it. */
  durable: boolean;
  /** Runs right before the rename (synchronously, so nothing else runs in between); throwing aborts the write. */
  beforeRename?: (() => void) | undefined;
}

/**
 * Replaces `file` (a symlink's target, when it is one) with `data`, mode 0600, keeping the
 * owner when running as root. Either every byte is in place or the old file is untouched.
 */
export async function writeFileAtomic(file: string, data: string | Buffer, options: AtomicWriteOptions): Promise<void> {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  const target = resolveTarget(file);
  // Random, not a counter: a temp file left by a crashed process whose pid is reused must not collide.
  // node:crypto is loaded here, on the first write: a reader (hub sessions) never pays for it.
  const { randomBytes } = await import("node:crypto");
  const temp = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeTemp(temp, bytes, target, options.durable);
    options.beforeRename?.();
    renameSync(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch((cleanup: unknown) => {
      // The write's own error is the one to report; a temp file left behind is removed by `hub doctor --fix`.
      if (!isErrnoCode(cleanup, "ENOENT")) process.emitWarning(`session-hub: cannot remove ${temp}: ${(cleanup as Error).message}`, { code: "E_IO" });
    });
    throw ioFailure("write", file, error);
  }
  if (options.durable) await syncDir(path.dirname(target), file);
}

function resolveTarget(file: string): string {
  try {
    return realpathSync.native(file);
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return file;
    throw ioFailure("resolve", file, error);
  }
}

async function openTemp(temp: string): Promise<fs.FileHandle> {
  try {
    return await fs.open(temp, "wx", FILE_MODE);
  } catch (error) {
    if (!isErrnoCode(error, "ENOENT")) throw error;
    await ensureDir(path.dirname(temp));
    return await fs.open(temp, "wx", FILE_MODE);
  }
}

async function writeTemp(temp: string, bytes: Buffer, target: string, durable: boolean): Promise<void> {
  const handle = await openTemp(temp);
  try {
    await keepOwner(handle, target);
    for (let offset = 0; offset < bytes.length; ) {
      const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, offset);
      if (bytesWritten <= 0) throw new Error(`write made no progress at byte ${offset} of ${bytes.length}`);
      offset += bytesWritten;
    }
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
}

/** As root, a file owned by someone else stays theirs (else its owner could no longer read it). */
async function keepOwner(handle: fs.FileHandle, target: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  let owner: { uid: number; gid: number };
  try {
    owner = statSync(target);
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return;
    throw error;
  }
  if (owner.uid !== 0 || owner.gid !== 0) await handle.chown(owner.uid, owner.gid);
}

/** Makes a rename in `dir` durable. */
async function syncDir(dir: string, file: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch (error) {
    // A few file systems cannot fsync a directory (EINVAL); there is nothing more to do there.
    if (!isErrnoCode(error, "EINVAL")) throw ioFailure("sync the directory of", file, error);
  } finally {
    await handle?.close();
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

/**
 * Reads a file with the fingerprint of exactly the bytes read; `null` when absent. A file over
 * `maxBytes` is refused from its size alone (`E_STORE_TOO_LARGE`), before anything is read.
 */
export async function readWithFingerprint(file: string, maxBytes = MAX_STORE_BYTES): Promise<{ text: string; fp: string } | null> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw ioFailure("open", file, error);
  }
  try {
    const stat = await handle.stat({ bigint: true });
    if (stat.size > BigInt(maxBytes)) throw tooLarge(file, Number(stat.size), maxBytes);
    const bytes = await handle.readFile();
    if (bytes.length > maxBytes) throw tooLarge(file, bytes.length, maxBytes);
    return { text: bytes.toString("utf8"), fp: fingerprintOf(stat) };
  } catch (error) {
    throw ioFailure("read", file, error);
  } finally {
    await handle.close();
  }
}
