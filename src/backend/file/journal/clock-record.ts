/**
 * One record of the activity clock journal (`sessions.json.clock`, see clock-journal.ts): its
 * shape, the journal's file names, and reading the complete records of a byte range.
 */
import fs from "node:fs";
import { isErrnoCode } from "../../../errors.js";
import { ioFailure } from "../fs/fs-util.js";

export interface ClockRecord {
  /** The session key. */
  k: string;
  /** The session id the activity belongs to. */
  s: string;
  /** The activity time (epoch ms). */
  t: number;
}

export function journalPathOf(storePath: string): string {
  return `${storePath}.clock`;
}

export function rotatedPathOf(storePath: string): string {
  return `${storePath}.clock.1`;
}

/** Identifies one file: a new file at the same inode number has another birth time. */
export function idOf(s: fs.BigIntStats): string {
  return `${s.dev}:${s.ino}:${s.birthtimeNs}`;
}

export function statOrNull(file: string): fs.BigIntStats | null {
  try {
    // No exception for a missing file (~7 µs each, and `.clock.1` is usually missing).
    return fs.statSync(file, { bigint: true, throwIfNoEntry: false }) ?? null;
  } catch (error) {
    throw ioFailure("stat", file, error);
  }
}

export function parseRecord(line: string): ClockRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined; // a torn line (a crash mid-append): never acknowledged
  }
  const r = value as Partial<ClockRecord> | null;
  if (r === null || typeof r !== "object" || typeof r.k !== "string" || typeof r.s !== "string") return undefined;
  if (typeof r.t !== "number" || !Number.isFinite(r.t)) return undefined;
  return { k: r.k, s: r.s, t: r.t };
}

/**
 * Reads the complete lines of `file` in [offset, end) and hands each valid record to `merge`;
 * returns the offset after the last newline (a line being written, or torn, waits).
 */
export function readRecords(file: string, offset: number, end: number, merge: (record: ClockRecord) => void): number {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return offset; // rotated away meanwhile: seen next time
    throw ioFailure("open", file, error);
  }
  try {
    const buffer = Buffer.allocUnsafe(end - offset);
    let filled = 0;
    while (filled < buffer.length) {
      const n = fs.readSync(fd, buffer, filled, buffer.length - filled, offset + filled);
      if (n === 0) break;
      filled += n;
    }
    const last = buffer.lastIndexOf(0x0a, filled - 1);
    if (last === -1) return offset; // only a line being written (or torn)
    for (const line of buffer.toString("utf8", 0, last).split("\n")) {
      const record = line === "" ? undefined : parseRecord(line);
      if (record !== undefined) merge(record);
    }
    return offset + last + 1;
  } catch (error) {
    throw ioFailure("read", file, error);
  } finally {
    fs.closeSync(fd);
  }
}
