/**
 * Which entries pruning removes. Pure: the caller supplies the entries and the clock.
 */
import { parseSessionKey } from "../keys/parse.js";
import type { SessionEntry } from "../backend/shared/entry.js";
import { FUTURE_SKEW_MS } from "./defaults.js";

export type PruneReason = "stale" | "over-cap";

export interface PruneSelectionSettings {
  now: number;
  /** Ordinary entries idle longer than this are stale (ms). */
  pruneAfterMs: number;
  /** Machine entries (`cron:`, `hook:` keys) idle longer than this are stale (ms). */
  machinePruneAfterMs: number;
  /** At most this many entries remain, newest first. */
  maxEntries: number;
  /** Never removed (they still count towards `maxEntries`). */
  isProtected: (key: string) => boolean;
}

export interface PruneSelection {
  removed: Array<{ key: string; entry: Readonly<SessionEntry>; reason: PruneReason }>;
  kept: Array<readonly [key: string, entry: Readonly<SessionEntry>]>;
}

/** A `cron:` or `hook:` session. */
export function isMachineKey(key: string): boolean {
  const kind = parseSessionKey(key)?.kind;
  return kind === "cron" || kind === "hook";
}

/** The main session of any agent (`agent:<id>:<mainKey>`), or the `global` session. */
export function isMainSessionKey(key: string, mainKey: string): boolean {
  const parsed = parseSessionKey(key);
  if (parsed === null) return false;
  return parsed.kind === "global" || (parsed.kind === "main" && parsed.mainKey === mainKey && parsed.threadId === undefined);
}

function newestFirst(a: readonly [string, Readonly<SessionEntry>], b: readonly [string, Readonly<SessionEntry>]): number {
  return b[1].updatedAt - a[1].updatedAt || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

/**
 * Stale entries (idle longer than their limit, or stamped more than `FUTURE_SKEW_MS` in the
 * future), then the oldest until at most `maxEntries`
 * remain. Protected entries are never selected. `removed` is oldest first, `kept` newest first.
 */
export function selectPrunable(entries: Iterable<readonly [string, Readonly<SessionEntry>]>, settings: PruneSelectionSettings): PruneSelection {
  const removed: PruneSelection["removed"] = [];
  const survivors: Array<readonly [string, Readonly<SessionEntry>]> = [];
  for (const [key, entry] of entries) {
    const limit = isMachineKey(key) ? settings.machinePruneAfterMs : settings.pruneAfterMs;
    const stale = settings.now - entry.updatedAt > limit || entry.updatedAt > settings.now + FUTURE_SKEW_MS;
    if (!settings.isProtected(key) && stale) removed.push({ key, entry, reason: "stale" });
    else survivors.push([key, entry]);
  }
  survivors.sort(newestFirst);
  let excess = survivors.length - settings.maxEntries;
  const kept: PruneSelection["kept"] = [];
  for (let i = survivors.length - 1; i >= 0; i--) {
    const survivor = survivors[i] as readonly [string, Readonly<SessionEntry>];
    if (excess > 0 && !settings.isProtected(survivor[0])) {
      removed.push({ key: survivor[0], entry: survivor[1], reason: "over-cap" });
      excess--;
    } else {
      kept.push(survivor);
    }
  }
  removed.sort((a, b) => newestFirst([b.key, b.entry], [a.key, a.entry]));
  return { removed, kept: kept.reverse() };
}
