/** Session keys: one grammar, one builder, one parser (SPEC 3). Pure: no I/O. */
export { resolveSessionKey } from "./resolve.js";
export { parseSessionKey } from "./parse.js";
export { buildSessionKey } from "./build.js";
export type { SessionKeyParts, BuildSessionKeyOptions } from "./build.js";
export { canonicalizeSessionKey, caseFoldedAliases, sessionKeyAliases } from "./canonical.js";
export type { CanonicalizeOptions } from "./canonical.js";
export { buildGroupDisplayName } from "./display.js";
export type { GroupDisplayNameParams } from "./display.js";
export { normalizeAgentId, normalizeAccountId, normalizeChannel, normalizeMainKey } from "./normalize.js";
export { normalizeE164 } from "./phone.js";
export { encodeKeySegment, decodeKeySegment, DEFAULT_CASE_SENSITIVE_CHANNELS } from "./encode.js";
export type { DmScope, KeyChatType, ParsedSessionKey, ResolveSessionKeyOptions, SessionKeyContext, SessionKeyKind } from "./types.js";
export { resolveInboundAddress } from "./address.js";
export type { InboundAddress } from "./address.js";
