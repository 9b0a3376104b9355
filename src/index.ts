/** session-hub: the public API. Only re-exports live here. */
export { HubError } from "./errors.js";
export type { HubErrorCode } from "./errors.js";

export { openSessionStore } from "./store/session-store.js";
export type { SessionStore, SessionStoreOptions, StoreWarning, StoreStats, PatchFunction } from "./store/session-store.js";
export type { StoreDraft } from "./store/draft.js";
export { SESSION_ID_PATTERN, isValidSessionId } from "./store/entry.js";
export type { SessionEntry, SessionPatch, SessionOrigin, DeliveryContext, ChatType } from "./store/entry.js";
export { resolveStorePath, resolveStateDir } from "./store/paths.js";

export { normalizeAgentId, normalizeAccountId, normalizeChannel } from "./keys/normalize.js";
