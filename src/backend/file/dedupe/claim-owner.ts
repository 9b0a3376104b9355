/**
 * Who made a de-duplication claim, and whether that process is gone. The owner record names
 * the process (pid and its start time in clock ticks since boot) and the machine (hostname,
 * kernel boot id, pid namespace), read once per process. A claim's owner is *gone* only when
 * that can be proven: same machine and boot and pid namespace, and no process with that pid
 * and start time (or a zombie); or the same hostname with another boot id (a reboot). An
 * owner on another machine or in another pid namespace is never declared gone: only the
 * age bound releases its claim.
 */
import { readFileSync, readlinkSync } from "node:fs";
import os from "node:os";
import { isErrnoCode } from "../../../errors.js";

export interface ClaimOwner {
  pid: number;
  host: string;
  /** `/proc/sys/kernel/random/boot_id` (Linux). */
  boot?: string;
  /** The pid namespace (`/proc/self/ns/pid` link, Linux). */
  pidns?: string;
  /** Start time of the process in clock ticks since boot (`/proc/<pid>/stat`, Linux). */
  start?: number;
}

/** Undefined where `/proc` does not exist or says nothing. */
function readOptional<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (isErrnoCode(error, "ENOENT") || isErrnoCode(error, "EACCES") || isErrnoCode(error, "ESRCH")) return undefined;
    throw error;
  }
}

/** State and start time of a process from `/proc/<pid>/stat` (the name may hold spaces). */
function procStat(pid: number | "self"): { state: string; start: number } | undefined {
  const text = readOptional(() => readFileSync(`/proc/${pid}/stat`, "utf8"));
  if (text === undefined) return undefined;
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const start = Number(fields[19]);
  return Number.isFinite(start) ? { state: fields[0] ?? "", start } : undefined;
}

let self: ClaimOwner | undefined;

/** This process as a claim owner (read once). */
export function currentOwner(): ClaimOwner {
  if (self !== undefined) return self;
  const owner: ClaimOwner = { pid: process.pid, host: os.hostname() };
  const boot = readOptional(() => readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim());
  const pidns = readOptional(() => readlinkSync("/proc/self/ns/pid"));
  const start = procStat("self")?.start;
  if (boot) owner.boot = boot;
  if (pidns) owner.pidns = pidns;
  if (start !== undefined) owner.start = start;
  self = owner;
  return owner;
}

export function isClaimOwner(value: unknown): value is ClaimOwner {
  if (value === null || typeof value !== "object") return false;
  const { pid, host } = value as Partial<ClaimOwner>;
  return typeof pid === "number" && Number.isSafeInteger(pid) && pid > 0 && typeof host === "string";
}

/** True only when the owner process provably no longer runs. */
export function ownerIsGone(owner: ClaimOwner): boolean {
  const me = currentOwner();
  if (owner.host !== me.host) return false;
  if (owner.boot !== undefined && me.boot !== undefined && owner.boot !== me.boot) return true; // rebooted
  if (owner.boot !== me.boot || owner.pidns !== me.pidns) return false; // cannot see its processes
  if (owner.pid === me.pid) return owner.start !== undefined && me.start !== undefined && owner.start !== me.start;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if (isErrnoCode(error, "ESRCH")) return true;
    if (isErrnoCode(error, "EPERM")) return false; // alive, someone else's
    throw error;
  }
  const stat = procStat(owner.pid);
  if (stat === undefined) return me.start !== undefined; // exited between the two looks
  return stat.state === "Z" || (owner.start !== undefined && stat.start !== owner.start);
}
