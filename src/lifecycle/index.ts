/** The lifecycle of a session: reset policies, triggers, send policy, maintenance. */
export {
  DEFAULT_RESET_AT_HOUR,
  DEFAULT_IDLE_MINUTES,
  DEFAULT_RESET_TRIGGERS,
  DEFAULT_PRUNE_AFTER,
  DEFAULT_MACHINE_PRUNE_AFTER,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_ARCHIVE_RETENTION,
  TEMP_FILE_MAX_AGE_MS,
} from "./defaults.js";
export { resolveResetPolicy, sessionTypeOf } from "./reset-policy.js";
export type { ResetPolicyContext, SessionType } from "./reset-policy.js";
export { evaluateFreshness } from "./freshness.js";
export type { Freshness, FreshnessInput, FreshnessPolicy } from "./freshness.js";
export { mostRecentBoundary, nextBoundaryAfter, hostTimeZone } from "./daily-boundary.js";
export { matchResetTrigger } from "./triggers.js";
export type { ResetTriggerMatch, ResetTriggerOptions } from "./triggers.js";
export { applyReset, RESET_CLEARED_FIELDS } from "./apply-reset.js";
export type { ApplyResetOptions } from "./apply-reset.js";
export { resolveSendPolicy, parseSendCommand } from "./send-policy.js";
export type { SendPolicyInput, SendCommand } from "./send-policy.js";
export { parseDuration } from "./duration.js";
export { pruneSessions } from "./maintenance.js";
export type { PruneOptions, PruneReport, PrunedSession } from "./maintenance.js";
export { selectPrunable, isMachineKey, isMainSessionKey } from "./prune-select.js";
export type { PruneReason, PruneSelection, PruneSelectionSettings } from "./prune-select.js";
export type {
  ResetMode,
  ResetReason,
  ResetPolicy,
  ResolvedResetPolicy,
  ResetByTypeConfig,
  SessionResetConfig,
  SendDecision,
  SendPolicyMatch,
  SendPolicyRule,
  SendPolicyConfig,
  MaintenanceConfig,
  SessionLifecycleConfig,
} from "./types.js";
