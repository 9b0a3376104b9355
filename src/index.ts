/** session-hub: the public API. Only re-exports live here. */
export { HubError } from "./errors.js";
export type { HubErrorCode } from "./errors.js";

// The gateway façade
export { createHub } from "./hub.js";
export type {
  Hub,
  HubOptions,
  InboundMessage,
  ReceiveResult,
  ReplyInput,
  ReplyResult,
  ReplyUsage,
  SessionsQuery,
  HubDebouncer,
  HubDebouncerOptions,
  MetricsFormat,
} from "./hub.js";
export { formatContext, CONTEXT_HEADER, CURRENT_HEADER } from "./hub/context.js";
export type { ContextMessage, FormatContextOptions } from "./hub/context.js";
// The run API (hub.run)
export type { RunTurn, RunHandler, RunResult, RunInfo, ReceivedMessage, QueueMode, QueueDrop, QueueSettings } from "./run/types.js";
export { resolveQueueSettings, DEFAULT_QUEUE_SETTINGS } from "./run/queue-settings.js";
export type { Timers } from "./hub/debounce.js";
export type { GatewayRecord, GatewayInput } from "./backend/file/gateways/gateways.js";

// Metrics
export { createMetrics, mergeMetrics } from "./metrics/metrics.js";
export { renderPrometheus } from "./metrics/prometheus.js";
export type { Metrics, MetricsObserver, MetricsSnapshot, MetricsState, LatencySummary, HistogramState } from "./metrics/metrics.js";
export { readPublishedMetrics } from "./backend/file/gateways/gateway-metrics.js";
export type { PublishedMetrics } from "./backend/file/gateways/gateway-metrics.js";

// The backend seam
export { openFileBackend } from "./backend/file/index.js";
export { startDashboard } from "./dashboard/server.js";
export type { Dashboard, DashboardOptions } from "./dashboard/server.js";
export type { FileBackend, FileBackendOptions } from "./backend/file/index.js";
export { isLiveBackend } from "./backend/types.js";
export type {
  Backend,
  LiveBackend,
  Change,
  WatchOptions,
  EntryDraft,
  SessionQuery,
  SessionPage,
  SessionRow,
  MessageQuery,
  MessagePage,
  TurnInput,
  TurnDecision,
  TurnResult,
  RunLease,
  RunLeaseAbort,
  RunLeases,
} from "./backend/types.js";

// Configuration
export { validateConfig, loadConfigFile, ignoredConfigKeys } from "./config/load.js";
export { defineConfig } from "./config/define.js";
export type { HubConfigInput } from "./config/define.js";
export type { ConfigWarning } from "./config/load.js";
export type { HubConfig, SessionConfig } from "./config/schema.js";

// The store
export { openSessionStore } from "./backend/file/store/session-store.js";
export type { SessionStore, SessionStoreOptions, StoreWarning, StoreStats, PatchFunction } from "./backend/file/store/session-store.js";
export type { StoreDraft } from "./backend/file/store/draft.js";
export { SESSION_ID_PATTERN, isValidSessionId } from "./backend/shared/entry.js";
export type { SessionEntry, SessionPatch, SessionOrigin, DeliveryContext, ChatType } from "./backend/shared/entry.js";
export { resolveStorePath, resolveStateDir } from "./backend/file/store/paths.js";
export { migrateSessionKey } from "./backend/file/store/key-migration.js";
export type { KeyMigrationResult } from "./backend/file/store/key-migration.js";

// Session keys
export {
  resolveSessionKey,
  parseSessionKey,
  buildSessionKey,
  canonicalizeSessionKey,
  sessionKeyAliases,
  buildGroupDisplayName,
  resolveInboundAddress,
  normalizeAgentId,
  normalizeAccountId,
  normalizeChannel,
  normalizeMainKey,
  normalizeE164,
  encodeKeySegment,
  decodeKeySegment,
  DEFAULT_CASE_SENSITIVE_CHANNELS,
} from "./keys/index.js";
export type {
  ParsedSessionKey,
  SessionKeyContext,
  ResolveSessionKeyOptions,
  DmScope,
  KeyChatType,
  SessionKeyKind,
  SessionKeyParts,
  BuildSessionKeyOptions,
  CanonicalizeOptions,
  GroupDisplayNameParams,
  InboundAddress,
} from "./keys/index.js";

// Lifecycle
export {
  resolveResetPolicy,
  sessionTypeOf,
  evaluateFreshness,
  matchResetTrigger,
  applyReset,
  RESET_CLEARED_FIELDS,
  resolveSendPolicy,
  parseSendCommand,
  parseDuration,
  pruneSessions,
  selectPrunable,
  mostRecentBoundary,
  nextBoundaryAfter,
  DEFAULT_RESET_AT_HOUR,
  DEFAULT_IDLE_MINUTES,
  DEFAULT_RESET_TRIGGERS,
  DEFAULT_PRUNE_AFTER,
  DEFAULT_MACHINE_PRUNE_AFTER,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_ARCHIVE_RETENTION,
} from "./lifecycle/index.js";
export type {
  ResetPolicyContext,
  SessionType,
  Freshness,
  FreshnessInput,
  FreshnessPolicy,
  ResetTriggerMatch,
  ResetTriggerOptions,
  ApplyResetOptions,
  SendPolicyInput,
  SendCommand,
  PruneOptions,
  PruneReport,
  PrunedSession,
  PruneReason,
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
} from "./lifecycle/index.js";
export { deleteSessions } from "./lifecycle/delete-sessions.js";
export type { DeletedSession } from "./lifecycle/delete-sessions.js";

// Transcripts and de-duplication
export { appendMessage } from "./backend/file/transcripts/transcript-append.js";
export { readMessages } from "./backend/file/transcripts/transcript-read.js";
export type { ReadMessagesOptions, ReadMessagesResult } from "./backend/file/transcripts/transcript-read.js";
export { messageText } from "./backend/shared/transcript-format.js";
export type { StoredMessage, AppendMessageInput, MessageMeta, MessageContent, ContentBlock, TextBlock, MessageRole } from "./backend/shared/transcript-format.js";
export { claimInbound, releaseInbound, pruneInbound, settleInboundPruning } from "./backend/file/dedupe/dedupe.js";
export type { InboundIdentity, ClaimInboundOptions, PruneResult, DedupeStore } from "./backend/file/dedupe/dedupe.js";

// The CLI, for embedding
export { main as runCli } from "./cli/main.js";
export type { CliIo } from "./cli/main.js";
