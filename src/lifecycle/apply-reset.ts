/**
 * What a reset does to an entry (SPEC 4.3). Pure: returns a new entry, the input is untouched.
 */
import { randomUUID } from "node:crypto";
import { HubError, describeValue } from "../errors.js";
import { MAX_PREVIOUS_SESSION_IDS, assertSessionId, isValidSessionId, type SessionEntry } from "../backend/shared/entry.js";

/**
 * Cleared by a reset: per-run counters and flags, the old transcript file, and the ended
 * mark. Everything else (routing, origin, labels, group metadata, sendPolicy, levels and
 * overrides, unknown fields) is kept.
 */
export const RESET_CLEARED_FIELDS = [
  "inputTokens",
  "outputTokens",
  "totalTokens",
  "contextTokens",
  "compactionCount",
  "systemSent",
  "abortedLastRun",
  "sessionFile",
  "endedAt",
] as const;

export interface ApplyResetOptions {
  /** The new session id. Default: a random UUID. */
  sessionId?: string | undefined;
  /** The activity clock of the new session. Default: the old `updatedAt` is kept. */
  now?: number | undefined;
  /**
   * A model override chosen with `/new <model>`: `provider/model` sets `providerOverride`
   * and `modelOverride`; a bare name sets `modelOverride` and removes `providerOverride`.
   * Either way `authProfileOverride*` are removed. Default: the overrides are kept.
   */
  model?: string | undefined;
}

/** The auth profile chosen for the old model; it must not follow a new one (openclaw clears them too). */
export const AUTH_PROFILE_FIELDS = ["authProfileOverride", "authProfileOverrideSource", "authProfileOverrideCompactionCount"] as const;

function applyModel(entry: Record<string, unknown>, model: string): void {
  for (const field of AUTH_PROFILE_FIELDS) delete entry[field];
  const slash = model.indexOf("/");
  if (slash > 0 && slash < model.length - 1) {
    entry.providerOverride = model.slice(0, slash);
    entry.modelOverride = model.slice(slash + 1);
  } else {
    delete entry.providerOverride;
    entry.modelOverride = model;
  }
}

/**
 * The entry after a reset: a new `sessionId`, the old one first in `previousSessionIds`
 * (newest first, at most 20, no duplicates), the fields in `RESET_CLEARED_FIELDS` removed.
 */
export function applyReset(entry: SessionEntry, options: ApplyResetOptions = {}): SessionEntry {
  assertSessionId(entry?.sessionId, "entry.sessionId");
  const sessionId = options.sessionId ?? randomUUID();
  assertSessionId(sessionId, "sessionId");
  if (sessionId === entry.sessionId) {
    throw new HubError("E_INVALID_ARGUMENT", `sessionId must differ from the current one, got ${describeValue(sessionId)}`);
  }
  if (options.now !== undefined && !(Number.isFinite(options.now) && options.now >= 0)) {
    throw new HubError("E_INVALID_ARGUMENT", `now must be a finite epoch-ms number >= 0, got ${describeValue(options.now)}`);
  }
  if (options.model !== undefined && (typeof options.model !== "string" || options.model.trim() === "")) {
    throw new HubError("E_INVALID_ARGUMENT", `model must be a non-empty string, got ${describeValue(options.model)}`);
  }
  const next: Record<string, unknown> = structuredClone(entry);
  for (const field of RESET_CLEARED_FIELDS) delete next[field];
  const previous = (entry.previousSessionIds ?? []).filter((id) => isValidSessionId(id) && id !== entry.sessionId && id !== sessionId);
  next.previousSessionIds = [entry.sessionId, ...new Set(previous)].slice(0, MAX_PREVIOUS_SESSION_IDS);
  next.sessionId = sessionId;
  if (options.now !== undefined) next.updatedAt = options.now;
  if (options.model !== undefined) applyModel(next, options.model.trim());
  return next as SessionEntry;
}
