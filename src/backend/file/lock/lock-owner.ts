/**
 * Who holds a lock: the owner record inside the lock directory, and the one question it
 * answers, "is the holder certainly dead?". A pid means something only within one pid
 * namespace of one running kernel, so a holder is declared dead by its pid only when the
 * record's hostname, boot id (/proc/sys/kernel/random/boot_id) and pid namespace
 * (/proc/self/ns/pid) all match ours. A live holder in another container with the same
 * hostname, or on another machine, is never declared dead: its lock goes stale by time.
 */
import { createHash } from "node:crypto";
import { lstatSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { nanoid } from "nanoid";
import { isErrnoCode } from "../../../errors.js";

export const OWNER_FILE = "owner.json";

export interface HostIdentity {
  host: string;
  /** The kernel's boot id; absent where /proc does not tell (not Linux). */
  bootId?: string;
  /** This process's pid namespace (`pid:[inode]`); absent where /proc does not tell. */
  pidNs?: string;
}

export interface OwnerRecord extends HostIdentity {
  pid: number;
  /** Unique per acquisition: tells one holding of the lock from the next. */
  token: string;
}

function fromProc(read: () => string): string | undefined {
  try {
    return read().trim();
  } catch (error) {
    // No /proc (macOS, Windows) or not readable: the identity stays hostname-only.
    if (isErrnoCode(error, "ENOENT") || isErrnoCode(error, "EACCES") || isErrnoCode(error, "EPERM")) return undefined;
    throw error;
  }
}

let identity: HostIdentity | undefined;

/** This process's host identity (read once). */
export function hostIdentity(): HostIdentity {
  if (identity === undefined) {
    const bootId = fromProc(() => readFileSync("/proc/sys/kernel/random/boot_id", "utf8"));
    const pidNs = fromProc(() => readlinkSync("/proc/self/ns/pid"));
    identity = { host: os.hostname(), ...(bootId === undefined ? {} : { bootId }), ...(pidNs === undefined ? {} : { pidNs }) };
  }
  return identity;
}

export function newOwnerRecord(): OwnerRecord {
  return { pid: process.pid, token: nanoid(), ...hostIdentity() };
}

function parseOwner(text: string): OwnerRecord | undefined {
  try {
    const owner = JSON.parse(text) as Partial<OwnerRecord>;
    if (typeof owner.pid === "number" && typeof owner.host === "string" && typeof owner.token === "string") return owner as OwnerRecord;
  } catch {
    // Not our record (ours is complete before the directory appears): a foreign holder.
  }
  return undefined;
}

/** The owner record in `lockDir`; `undefined` when there is none (or it is not ours). */
export async function readOwner(lockDir: string): Promise<OwnerRecord | undefined> {
  try {
    return parseOwner(await fs.readFile(path.join(lockDir, OWNER_FILE), "utf8"));
  } catch (error) {
    if (isErrnoCode(error, "ENOENT") || isErrnoCode(error, "ENOTDIR")) return undefined;
    throw error;
  }
}

export function readOwnerSync(lockDir: string): OwnerRecord | undefined {
  try {
    return parseOwner(readFileSync(path.join(lockDir, OWNER_FILE), "utf8"));
  } catch (error) {
    if (isErrnoCode(error, "ENOENT") || isErrnoCode(error, "ENOTDIR")) return undefined;
    throw error;
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !isErrnoCode(error, "ESRCH");
  }
}

/** True only when the owner ran in this very pid namespace of this very boot, and its pid is gone. */
export function isOwnerDead(owner: OwnerRecord): boolean {
  const me = hostIdentity();
  if (owner.host !== me.host || owner.bootId !== me.bootId || owner.pidNs !== me.pidNs) return false;
  return !isProcessAlive(owner.pid);
}

/** How long a takeover's tombstone stays: longer than any read-to-rename window of a rival judge. */
const TOMBSTONE_MS = 60_000;

/** The tombstone name for the lock of `owner`: the same for every judge of that one holding. */
function tombstoneOf(lockDir: string, owner: OwnerRecord): string {
  const safe = /^[A-Za-z0-9_-]{1,64}$/.test(owner.token) ? owner.token : createHash("sha256").update(owner.token).digest("hex").slice(0, 32);
  return `${lockDir}.dead-${safe}`;
}

/**
 * When the lock's recorded owner is certainly dead (see above), moves the lock directory to a
 * tombstone named after that owner's token, and returns true (the caller tries to acquire
 * again). The name is what makes the takeover safe: two processes that both judged the same
 * dead holding try the same rename, and once the first has moved it (and perhaps acquired
 * the lock anew), the second's rename finds the tombstone in place and fails, so it can
 * never move its rival's fresh lock aside. Tombstones older than a minute are swept here.
 */
export function takeOverDeadOwner(lockDir: string): boolean {
  const owner = readOwnerSync(lockDir);
  if (!owner || !isOwnerDead(owner)) return false;
  try {
    renameSync(lockDir, tombstoneOf(lockDir, owner));
  } catch (error) {
    // ENOENT: gone already; EEXIST/ENOTEMPTY: a rival took this very holding over first.
    if (isErrnoCode(error, "ENOENT") || isErrnoCode(error, "EEXIST") || isErrnoCode(error, "ENOTEMPTY")) return true;
    throw error;
  }
  sweepTombstones(lockDir);
  return true;
}

function sweepTombstones(lockDir: string): void {
  const dir = path.dirname(lockDir);
  const prefix = `${path.basename(lockDir)}.dead-`;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const file = path.join(dir, name);
    try {
      if (Date.now() - lstatSync(file).mtimeMs > TOMBSTONE_MS) rmSync(file, { recursive: true, force: true });
    } catch (error) {
      if (!isErrnoCode(error, "ENOENT")) throw error;
    }
  }
}
