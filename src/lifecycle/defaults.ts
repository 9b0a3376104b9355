/** Every default of the lifecycle, in one place. */

/** Hour of the daily reset when a policy sets none. */
export const DEFAULT_RESET_AT_HOUR = 4;
/** Idle minutes in `idle` mode when nothing sets them. */
export const DEFAULT_IDLE_MINUTES = 60;
/** Always-on reset triggers; `resetTriggers` adds to them. */
export const DEFAULT_RESET_TRIGGERS: readonly string[] = ["/new", "/reset"];

/** `pruneAfter`: entries idle longer than this are removed. */
export const DEFAULT_PRUNE_AFTER = "30d";
/** `machinePruneAfter` (`cron:`/`hook:` keys), capped at `pruneAfter`. */
export const DEFAULT_MACHINE_PRUNE_AFTER = "7d";
/** `maxEntries`: the store keeps at most this many entries. */
export const DEFAULT_MAX_ENTRIES = 500;
/** `archiveRetention`: `.deleted.<timestamp>` archives older than this are deleted. */
export const DEFAULT_ARCHIVE_RETENTION = "30d";
/** Temp files older than this are leftovers of an interrupted write (ms). */
export const TEMP_FILE_MAX_AGE_MS = 5 * 60_000;
/**
 * Clock skew tolerated on an activity clock (ms): an `updatedAt` later than now + this is
 * treated as stale by freshness and prune, and a message's timestamp moves the clock at most
 * to now + this.
 */
export const FUTURE_SKEW_MS = 5 * 60_000;
/** The largest epoch ms a `Date` can hold (±100 000 000 days). */
export const MAX_DATE_MS = 8.64e15;
