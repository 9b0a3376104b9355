/**
 * Who holds a lock: the owner record inside the lock directory, and the one question it
 * answers, "is the holder certainly dead?". A pid means something only within one pid
 * namespace of one running kernel, so a holder is declared dead by its pid only when the
 * record's hostname, boot id (/proc/sys/kernel/random/boot_id) and pid namespace
 * (/proc/self/ns/pid) all match ours. A live holder in another container with the same
 * hostname, or on another machine, is never declared dead: its lock goes stale by time.
 */
import { readFileSync, readlinkSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { nanoid } from "nanoid";
import { isErrnoCode } from "../errors.js";

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

/**
 * When the lock's recorded owner is certainly dead (see above), moves the lock
 * directory aside (rename is atomic, so one waiter wins) and removes it. Returns true when it
 * did. Should the renamed directory turn out to hold a different owner (the lock changed
 * hands between our read and our rename), it is put back.
 */
export async function takeOverDeadOwner(lockDir: string): Promise<boolean> {
  const owner = await readOwner(lockDir);
  if (!owner || !isOwnerDead(owner)) return false;
  const aside = `${lockDir}.dead-${nanoid(8)}`;
  try {
    await fs.rename(lockDir, aside);
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return true;
    throw error;
  }
  const moved = await readOwner(aside);
  if (moved?.token !== owner.token) {
    await fs.rename(aside, lockDir).catch((error: unknown) => {
      if (!isErrnoCode(error, "EEXIST") && !isErrnoCode(error, "ENOTEMPTY")) throw error;
    });
    return false;
  }
  await fs.rm(aside, { recursive: true, force: true });
  return true;
}
