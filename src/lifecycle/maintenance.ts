/**
 * `pruneSessions`: retires old sessions of a store (SPEC 4.5). The selection is pure
 * (`prune-select.ts`); the removal is one `store.mutate`; file work is `store/archive.ts`.
 */
import path from "node:path";
import { HubError, describeValue } from "../errors.js";
import { cleanLeftovers, transcriptFilesOf } from "../backend/file/transcripts/archive.js";
import { listDirNames } from "../backend/file/fs/fs-util.js";
import type { SessionStore } from "../backend/file/store/session-store.js";
import {
  DEFAULT_ARCHIVE_RETENTION,
  DEFAULT_MACHINE_PRUNE_AFTER,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_PRUNE_AFTER,
  TEMP_FILE_MAX_AGE_MS,
} from "./defaults.js";
import { archiveRemoved } from "./archive-removed.js";
import { parseDuration } from "./duration.js";
import { isMainSessionKey, selectPrunable, type PruneReason, type PruneSelection } from "./prune-select.js";


export interface PruneOptions {
  /** Remove entries idle longer than this (`"30d"`, `"12h"`, `"90m"` or ms). Default `"30d"`. */
  pruneAfter?: string | number | undefined;
  /** The same for machine sessions (`cron:`, `hook:` keys). Default: `"7d"`, or `pruneAfter` when shorter. */
  machinePruneAfter?: string | number | undefined;
  /** Keep at most this many entries, newest first (an integer >= 0). Default 500. */
  maxEntries?: number | undefined;
  /** Keys never removed, e.g. sessions the gateway has active. Default none. */
  protect?: Iterable<string> | undefined;
  /** The main key: `agent:<any id>:<mainKey>` (and `global`) are never removed. Default `"main"`. */
  mainKey?: string | undefined;
  /** Delete `.deleted.<timestamp>` archives older than this. Default `"30d"`. */
  archiveRetention?: string | number | undefined;
  /** Report what would happen without changing any file. Default false. */
  dryRun?: boolean | undefined;
  /** The clock (epoch ms). Default `store.now()`. */
  now?: number | undefined;
}

export interface PrunedSession {
  key: string;
  sessionId: string;
  reason: PruneReason;
  /** Absolute paths of the archives made (or that a dry run would make). */
  archived: string[];
}

export interface PruneReport {
  removed: PrunedSession[];
  /** Entries left in the store. */
  kept: number;
  /** Absolute paths of temp files removed. */
  tempFilesRemoved: string[];
  /** Absolute paths of expired archives removed. */
  archivesRemoved: string[];
  dryRun: boolean;
}

export interface Settings {
  now: number;
  pruneAfterMs: number;
  machinePruneAfterMs: number;
  maxEntries: number;
  archiveRetentionMs: number;
  isProtected: (key: string) => boolean;
  dryRun: boolean;
}

export function settingsOf(store: Pick<SessionStore, "now">, options: PruneOptions): Settings {
  const now = options.now ?? store.now();
  if (!Number.isFinite(now)) throw new HubError("E_INVALID_ARGUMENT", `now must be a finite epoch-ms number, got ${describeValue(now)}`);
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  if (!Number.isInteger(maxEntries) || maxEntries < 0) {
    throw new HubError("E_INVALID_ARGUMENT", `maxEntries must be an integer >= 0, got ${describeValue(maxEntries)}`);
  }
  const pruneAfterMs = parseDuration(options.pruneAfter ?? DEFAULT_PRUNE_AFTER, "pruneAfter");
  const machinePruneAfterMs =
    options.machinePruneAfter === undefined
      ? Math.min(parseDuration(DEFAULT_MACHINE_PRUNE_AFTER, "machinePruneAfter"), pruneAfterMs)
      : parseDuration(options.machinePruneAfter, "machinePruneAfter");
  const mainKey = (options.mainKey ?? "main").trim().toLowerCase() || "main";
  if (typeof options.protect === "string") {
    throw new HubError("E_INVALID_ARGUMENT", `protect must be an array or set of keys, got ${describeValue(options.protect)}`);
  }
  const protectedKeys = new Set(options.protect ?? []);
  return {
    now,
    pruneAfterMs,
    machinePruneAfterMs,
    maxEntries,
    archiveRetentionMs: parseDuration(options.archiveRetention ?? DEFAULT_ARCHIVE_RETENTION, "archiveRetention"),
    isProtected: (key) => protectedKeys.has(key) || isMainSessionKey(key, mainKey),
    dryRun: options.dryRun ?? false,
  };
}

/**
 * Removes the selected entries in one write, selecting again under the lock. A dry run, or a
 * lock-free read that finds nothing to remove, never writes (nor creates the directory).
 */
async function removeEntries(store: SessionStore, settings: Settings): Promise<PruneSelection> {
  const current = (await store.list()).map(({ key, entry }) => [key, entry] as const);
  const preview = selectPrunable(current, settings);
  if (settings.dryRun || preview.removed.length === 0) return preview;
  return store.mutate((draft) => {
    const selection = selectPrunable(draft.entries(), settings);
    for (const { key } of selection.removed) draft.delete(key);
    return selection;
  });
}

/**
 * Prunes a store: entries idle longer than `pruneAfter` (`machinePruneAfter` for `cron:`/
 * `hook:` keys), then the oldest beyond `maxEntries`, never the main session nor `protect`ed
 * keys, all removed in one write. Then each removed entry's transcripts (its own, its
 * `previousSessionIds`', its topic files) are archived as `<file>.deleted.<timestamp>`
 * unless a kept entry still refers to them, temp files older than 5 minutes are removed,
 * and archives older than `archiveRetention` are deleted. An entry a message brought back
 * while the prune ran (see `archive-removed.ts`) keeps its transcript and is not reported as
 * removed. `dryRun` changes nothing and reports what would happen.
 */
export async function pruneSessions(store: SessionStore, options: PruneOptions = {}): Promise<PruneReport> {
  const settings = settingsOf(store, options);
  const names = await listDirNames(store.dir);
  const selection = await removeEntries(store, settings);

  const keep = new Set(selection.kept.flatMap(([, entry]) => transcriptFilesOf(store.dir, entry, names)));
  const removed: PrunedSession[] = [];
  let revived = 0;
  for (const { key, entry, reason } of selection.removed) {
    const archived = await archiveRemoved(store, key, entry, settings.now, { dryRun: settings.dryRun, names, keep });
    if (archived === undefined) revived++; // a message arrived meanwhile: the session lives on
    else removed.push({ key, sessionId: entry.sessionId, reason, archived });
  }

  const leftovers = await cleanLeftovers(store.dir, names, {
    storeFileName: path.basename(store.path),
    now: settings.now,
    tempMaxAgeMs: TEMP_FILE_MAX_AGE_MS,
    archiveRetentionMs: settings.archiveRetentionMs,
    dryRun: settings.dryRun,
  });
  return { removed, kept: selection.kept.length + revived, ...leftovers, dryRun: settings.dryRun };
}
