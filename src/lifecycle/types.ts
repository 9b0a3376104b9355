/**
 * The parts of the `session` config section (SPEC 9) that lifecycle code consumes. Plain
 * types: the config schema produces them; code may also build them by hand.
 */

export type ResetMode = "daily" | "idle" | "never";

/** Why a session starts afresh: no entry yet, a daily boundary, idleness, or a trigger. */
export type ResetReason = "new" | "daily" | "idle" | "trigger";

/** One reset policy as configured; every field is optional so that types can override field by field. */
export interface ResetPolicy {
  /** `daily`, `idle` or `never` (`none`, openclaw's name, means `never`). Default: `daily` (`idle` when only legacy `idleMinutes` is configured). */
  mode?: ResetMode | "none" | undefined;
  /** Hour of the daily reset, 0-23, in `timezone`. Default 4. */
  atHour?: number | undefined;
  /** Idle expiry in minutes (> 0), in any mode but `never`. Default: unset (60 in `idle` mode). */
  idleMinutes?: number | undefined;
  /** IANA zone of the daily boundary. Default: `session.timezone`, else the host's zone. */
  timezone?: string | undefined;
}

/** A policy after resolution: what `evaluateFreshness` takes. */
export interface ResolvedResetPolicy {
  mode: ResetMode;
  atHour: number;
  idleMinutes?: number;
  /** Absent: the host's zone. */
  timezone?: string;
}

/** `resetByType`: per session type. `direct` is an alias of `dm` (`dm` wins when both are set). */
export interface ResetByTypeConfig {
  dm?: ResetPolicy | undefined;
  direct?: ResetPolicy | undefined;
  group?: ResetPolicy | undefined;
  thread?: ResetPolicy | undefined;
}

/** The reset part of the `session` section. */
export interface SessionResetConfig {
  /** The base policy. */
  reset?: ResetPolicy | undefined;
  /** Per session type, field by field over `reset`. */
  resetByType?: ResetByTypeConfig | undefined;
  /** Per channel (normalized name): the whole policy for that channel. */
  resetByChannel?: Record<string, ResetPolicy> | undefined;
  /** Legacy clawdbot setting: idle minutes when the policies set none. */
  idleMinutes?: number | undefined;
  /** IANA zone for daily boundaries. Default: the host's zone. */
  timezone?: string | undefined;
  /** Extra reset triggers, added to `/new` and `/reset`. */
  resetTriggers?: string[] | undefined;
}

export type SendDecision = "allow" | "deny";

export interface SendPolicyMatch {
  /** Channel name (compared normalized). */
  channel?: string | undefined;
  /** `direct` (alias `dm`), `group` or `channel` (alias `room`); compared exactly. */
  chatType?: string | undefined;
  /** Matches the key as stored, or the key without its `agent:<id>:` prefix (case-insensitive). */
  keyPrefix?: string | undefined;
  /** Matches the key as stored only, `agent:<id>:` included (case-insensitive; openclaw's field). */
  rawKeyPrefix?: string | undefined;
}

export interface SendPolicyRule {
  action: SendDecision;
  /** All given fields must match; an empty or absent match matches every session. */
  match?: SendPolicyMatch | undefined;
}

/** `session.sendPolicy`. */
export interface SendPolicyConfig {
  /** Decision when no rule matches. Default `allow`. */
  default?: SendDecision | undefined;
  rules?: SendPolicyRule[] | undefined;
}

/** `session.maintenance`: the defaults `pruneSessions` uses. */
export interface MaintenanceConfig {
  /** Remove entries idle longer than this (`"30d"`, `"12h"`, `"90m"` or ms). Default `"30d"`. */
  pruneAfter?: string | number | undefined;
  /** Same, for machine sessions (`cron:`, `hook:` keys). Default `"7d"`. */
  machinePruneAfter?: string | number | undefined;
  /** Keep at most this many entries, newest first. Default 500. */
  maxEntries?: number | undefined;
  /** Delete `.deleted.<timestamp>` archives older than this. Default `"30d"`. */
  archiveRetention?: string | number | undefined;
}

/** Every part of the `session` section the lifecycle consumes. */
export interface SessionLifecycleConfig extends SessionResetConfig {
  sendPolicy?: SendPolicyConfig | undefined;
  maintenance?: MaintenanceConfig | undefined;
}
