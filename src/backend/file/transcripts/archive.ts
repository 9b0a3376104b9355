/**
 * File housekeeping in a sessions directory: transcripts of removed sessions are archived as
 * `<file>.deleted.<timestamp>` (renamed, never deleted), leftover temp files and expired
 * archives are removed. Every function can run as a dry run that touches nothing.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { HubError, isErrnoCode } from "../../../errors.js";
import type { SessionEntry } from "../../shared/entry.js";
import { ioFailure, listDirNames, lstatOrUndefined, unlinkIfPresent } from "../fs/fs-util.js";
import { fileTimestamp } from "../store/paths.js";

import { resolveTranscriptPath } from "./transcript-path.js";

export const ARCHIVE_MARKER = ".deleted.";



/**
 * Renames `file` to `<file>.deleted.<timestamp>` (a `-<n>` suffix when that name is taken)
 * and returns the new path; `undefined` when `file` does not exist. A dry run returns the
 * path it would use.
 */
export async function archiveFile(file: string, nowMs: number, options: { dryRun: boolean }): Promise<string | undefined> {
  const source = await lstatOrUndefined(file);
  if (source === undefined) return undefined;
  const stamp = `${file}${ARCHIVE_MARKER}${fileTimestamp(nowMs)}`;
  let target = stamp;
  for (let n = 1; (await lstatOrUndefined(target)) !== undefined; n++) target = `${stamp}-${n}`;
  if (options.dryRun) return target;
  try {
    await fs.rename(file, target);
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return undefined;
    throw ioFailure("archive", file, error);
  }
  return target;
}

function pathOrUndefined(dir: string, entry: { sessionId: string; sessionFile?: string | undefined }): string | undefined {
  try {
    return resolveTranscriptPath(dir, entry);
  } catch (error) {
    // A sessionFile outside the sessions directory is not ours to move.
    if (error instanceof HubError && error.code === "E_INVALID_SESSION_FILE") return undefined;
    throw error;
  }
}

/**
 * Every transcript file of an entry in `dir`: its own (`sessionFile` or `<sessionId>.jsonl`),
 * those of `previousSessionIds`, and the topic transcripts `<id>-topic-*.jsonl` among `names`.
 */
export function transcriptFilesOf(dir: string, entry: Readonly<SessionEntry>, names: readonly string[]): string[] {
  const ids = [entry.sessionId, ...(entry.previousSessionIds ?? [])];
  const files = new Set<string>();
  const own = pathOrUndefined(dir, entry);
  if (own !== undefined) files.add(own);
  for (const id of ids) {
    const file = pathOrUndefined(dir, { sessionId: id });
    if (file !== undefined) files.add(file);
    const topicPrefix = `${id}-topic-`;
    for (const name of names) {
      if (name.startsWith(topicPrefix) && name.endsWith(".jsonl")) files.add(path.join(path.resolve(dir), name));
    }
  }
  return [...files];
}

export interface ArchiveTranscriptsOptions {
  /** Report the archive paths without renaming. Default false. */
  dryRun?: boolean | undefined;
  /** The directory listing, when the caller has one. Default: read now. */
  names?: readonly string[] | undefined;
  /** Files never archived, e.g. transcripts that kept entries still refer to. Default none. */
  keep?: ReadonlySet<string> | undefined;
}

/**
 * Archives every transcript of a removed entry (see `transcriptFilesOf`) as
 * `<file>.deleted.<timestamp>`; returns the archive paths. Missing files are skipped.
 */
export async function archiveTranscripts(
  dir: string,
  entry: Readonly<SessionEntry>,
  nowMs: number,
  options: ArchiveTranscriptsOptions = {},
): Promise<string[]> {
  const names = options.names ?? (await listDirNames(dir));
  const archived: string[] = [];
  for (const file of transcriptFilesOf(dir, entry, names)) {
    if (options.keep?.has(file)) continue;
    const target = await archiveFile(file, nowMs, { dryRun: options.dryRun ?? false });
    if (target !== undefined) archived.push(target);
  }
  return archived;
}

const ARCHIVE_STAMP = /\.deleted\.(?:(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})[-.](\d{3})Z|(\d{10,}))(?:-\d+)?$/;

/**
 * When an archive was made, from its name: our `fileTimestamp` form, the same with a `.`
 * before the milliseconds, or epoch ms. `undefined` when the name carries none.
 */
export function archiveTimestamp(name: string): number | undefined {
  const match = ARCHIVE_STAMP.exec(name);
  if (match === null) return undefined;
  if (match[6] !== undefined) return Number(match[6]);
  const ms = Date.parse(`${match[1]}T${match[2]}:${match[3]}:${match[4]}.${match[5]}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A leftover of an interrupted write: `*.tmp`, or write-file-atomic's `<store>.<digits>` (also `<store>.bak.<pid>`). */
export function isTempFileName(name: string, storeFileName: string): boolean {
  if (name.endsWith(".tmp")) return true;
  if (!name.startsWith(`${storeFileName}.`)) return false;
  return /^(?:bak\.)?\d+$/.test(name.slice(storeFileName.length + 1));
}

export interface LeftoverOptions {
  /** The store's file name (`sessions.json`), whose temp names are recognized. */
  storeFileName: string;
  now: number;
  /** Temp files whose mtime is older than this are removed (ms). */
  tempMaxAgeMs: number;
  /** Archives older than this are removed (ms): by the time in their name, else their mtime. */
  archiveRetentionMs: number;
  dryRun: boolean;
}


/** Removes old temp files and expired archives in `dir`; returns what was (or would be) removed. */
export async function cleanLeftovers(
  dir: string,
  names: readonly string[],
  options: LeftoverOptions,
): Promise<{ tempFilesRemoved: string[]; archivesRemoved: string[] }> {
  const tempFilesRemoved: string[] = [];
  const archivesRemoved: string[] = [];
  for (const name of names) {
    const isTemp = isTempFileName(name, options.storeFileName);
    const isArchive = !isTemp && name.includes(ARCHIVE_MARKER);
    if (!isTemp && !isArchive) continue;
    const file = path.join(dir, name);
    const stat = await lstatOrUndefined(file);
    if (stat === undefined || !stat.isFile()) continue;
    const madeAt = isArchive ? (archiveTimestamp(name) ?? stat.mtimeMs) : stat.mtimeMs;
    const maxAge = isArchive ? options.archiveRetentionMs : options.tempMaxAgeMs;
    if (options.now - madeAt <= maxAge) continue;
    if (!options.dryRun && !(await unlinkIfPresent(file))) continue;
    (isArchive ? archivesRemoved : tempFilesRemoved).push(file);
  }
  return { tempFilesRemoved, archivesRemoved };
}
