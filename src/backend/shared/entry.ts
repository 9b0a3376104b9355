/**
 * The session entry: its type, its validation at the public boundary, and the migration of
 * clawdbot's legacy field names. Pure: no I/O.
 */
import { HubError, describeValue, type HubErrorCode } from "../../errors.js";

/**
 * A session id is one safe file-name segment: no `/`, `\`, control characters or lone
 * surrogates, not `.` or `..`. openclaw's ids such as `imessage:direct:+17189153805` are
 * valid. `isValidSessionId` also caps the length at {@link MAX_SESSION_ID_BYTES} UTF-8 bytes,
 * which a pattern cannot express.
 */
export const SESSION_ID_PATTERN = /^(?!\.\.?$)[^/\\\p{Cc}\p{Cs}]{1,255}$/u;
/** The longest session id, in UTF-8 bytes (a file name's limit on common filesystems). */
export const MAX_SESSION_ID_BYTES = 255;
export const MAX_PREVIOUS_SESSION_IDS = 20;
/** Entries nested deeper than this are invalid: they could not be copied or written without overflowing the stack. */
export const MAX_ENTRY_DEPTH = 64;

export type ChatType = "direct" | "group" | "channel";

export interface SessionOrigin {
  label?: string;
  provider?: string;
  /** `direct`, `group` or `channel` (clawdbot records it too). */
  chatType?: string;
  from?: string;
  to?: string;
  accountId?: string;
  threadId?: string | number;
  [field: string]: unknown;
}

export interface DeliveryContext {
  channel?: string;
  to?: string;
  accountId?: string;
  threadId?: string | number;
  [field: string]: unknown;
}

/** One conversation's state, as stored in sessions.json (clawdbot-compatible). */
export interface SessionEntry {
  sessionId: string;
  /** The activity clock (epoch ms): moves only when a conversation turn happens. */
  updatedAt: number;
  sessionFile?: string;
  previousSessionIds?: string[];
  chatType?: ChatType;
  channel?: string;
  groupId?: string;
  subject?: string;
  groupChannel?: string;
  space?: string;
  displayName?: string;
  label?: string;
  origin?: SessionOrigin;
  lastChannel?: string;
  lastTo?: string;
  lastAccountId?: string;
  lastThreadId?: string | number;
  deliveryContext?: DeliveryContext;
  sendPolicy?: "allow" | "deny";
  thinkingLevel?: string;
  verboseLevel?: string;
  reasoningLevel?: string;
  modelOverride?: string;
  providerOverride?: string;
  model?: string;
  modelProvider?: string;
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  contextTokens?: number;
  compactionCount?: number;
  systemSent?: boolean;
  abortedLastRun?: boolean;
  /** Set by `endSession`: the next inbound message starts a new session. */
  endedAt?: number;
  /** Fields this library does not know are preserved untouched. */
  [field: string]: unknown;
}

/** A partial entry; a field set to `undefined` is removed. */
export type SessionPatch = { [K in keyof SessionEntry]?: SessionEntry[K] | undefined };

const LEGACY_FIELDS: ReadonlyArray<readonly [legacy: string, current: string]> = [
  ["provider", "channel"],
  ["lastProvider", "lastChannel"],
  ["room", "groupChannel"],
];

/**
 * Renames clawdbot's legacy fields in place (`provider`→`channel`, `lastProvider`→
 * `lastChannel`, `room`→`groupChannel`). The legacy field is dropped; its value is used
 * only when the new field is absent. Returns true when anything changed.
 */
export function migrateLegacyFields(entry: Record<string, unknown>): boolean {
  let changed = false;
  // Indexed, not for-of with destructuring: this runs for every entry of every store read, mostly
  // in short-lived processes (the CLI) where the iterator protocol is not yet optimized away.
  for (let i = 0; i < LEGACY_FIELDS.length; i++) {
    const pair = LEGACY_FIELDS[i] as (typeof LEGACY_FIELDS)[number];
    const legacy = pair[0];
    const current = pair[1];
    if (!Object.hasOwn(entry, legacy)) continue;
    if (entry[current] === undefined) entry[current] = entry[legacy];
    delete entry[legacy];
    changed = true;
  }
  return changed;
}

/** True for a session id that is one safe file-name segment (see {@link SESSION_ID_PATTERN}). */
/** Ids of ASCII letters, digits, `_` and `-` only (UUIDs, nanoids): valid without the full pattern and the byte count. */
const PLAIN_SESSION_ID = /^[\w-]{1,255}$/;

export function isValidSessionId(value: unknown): value is string {
  if (typeof value !== "string") return false;
  return PLAIN_SESSION_ID.test(value) || (SESSION_ID_PATTERN.test(value) && Buffer.byteLength(value) <= MAX_SESSION_ID_BYTES);
}

export function assertSessionId(value: unknown, name = "sessionId"): asserts value is string {
  if (!isValidSessionId(value)) {
    throw new HubError(
      "E_INVALID_ENTRY",
      `${name} must be one file-name segment of 1-${MAX_SESSION_ID_BYTES} bytes (no "/", "\\", control characters, not "." or ".."), got ${describeValue(value)}`,
    );
  }
}

/** Throws `code` (default `E_INVALID_ENTRY`) unless `value` is a finite epoch-ms number >= 0. */
/** A finite epoch-ms number >= 0. */
function isTimestamp(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

export function assertTimestamp(value: unknown, name: string, code: HubErrorCode = "E_INVALID_ENTRY"): asserts value is number {
  if (!isTimestamp(value)) {
    throw new HubError(code, `${name} must be a finite epoch-ms number >= 0, got ${describeValue(value)}`);
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A deep copy of a JSON value (entries hold JSON values only: parsed from a file or
 * round-tripped through JSON when set), several times faster than `structuredClone` or a JSON
 * round trip. A `"__proto__"` key is data, copied as an own property, never a prototype.
 */
export function copyJsonValue<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(copyJsonValue) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const copied = copyJsonValue((value as Record<string, unknown>)[key]);
    if (key === "__proto__") Object.defineProperty(out, key, { value: copied, enumerable: true, writable: true, configurable: true });
    else out[key] = copied;
  }
  return out as T;
}

/**
 * True when `value` holds objects or arrays nested more than `limit` levels deep (`value`
 * itself is level 1). The recursion stops at `limit`, so it never overflows the stack, however
 * deep the value is.
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== "object") return false;
  if (limit <= 0) return true;
  // No for-of and no Object.values (see migrateLegacyFields): an indexed loop over arrays and a
  // for-in over own keys allocate nothing; in a cold process the check of a 10k-entry store
  // takes about 4 ms instead of 10.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      if (child !== null && typeof child === "object" && nestedDeeperThan(child, limit - 1)) return true;
    }
    return false;
  }
  for (const field in value) {
    if (!Object.hasOwn(value, field)) continue;
    const child = (value as Record<string, unknown>)[field];
    if (child !== null && typeof child === "object" && nestedDeeperThan(child, limit - 1)) return true;
  }
  return false;
}

/** Checks the fields this library relies on; everything else passes through untouched. */
export function assertEntry(entry: Record<string, unknown>, key: string): asserts entry is SessionEntry {
  // The field names are built only for an error: this runs for every entry of every store read.
  if (!isValidSessionId(entry.sessionId)) assertSessionId(entry.sessionId, `entry "${key}": sessionId`);
  if (!isTimestamp(entry.updatedAt)) assertTimestamp(entry.updatedAt, `entry "${key}": updatedAt`);
  if (nestedDeeperThan(entry, MAX_ENTRY_DEPTH)) {
    throw new HubError("E_INVALID_ENTRY", `entry "${key}" is nested more than ${MAX_ENTRY_DEPTH} levels deep`);
  }
  const previous = entry.previousSessionIds;
  if (previous !== undefined && !(Array.isArray(previous) && previous.every(isValidSessionId))) {
    throw new HubError("E_INVALID_ENTRY", `entry "${key}": previousSessionIds must be an array of session ids`);
  }
}

/**
 * Merges a patch over an entry: a patch field set to `undefined` removes the field. Returns a
 * new object; neither input is modified.
 */
export function mergePatch(current: SessionEntry | undefined, patch: SessionPatch): Record<string, unknown> {
  const merged: Record<string, unknown> = current === undefined ? {} : { ...current };
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) delete merged[field];
    // defineProperty, not assignment: a field named "__proto__" stays an ordinary field.
    else Object.defineProperty(merged, field, { value, enumerable: true, writable: true, configurable: true });
  }
  return merged;
}
