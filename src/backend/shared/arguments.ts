/**
 * The arguments every backend checks alike before touching storage: the keys of a call, a
 * session id, and the time of an activity-clock move.
 */
import { HubError, describeValue } from "../../errors.js";
import { assertTimestamp, isValidSessionId, SESSION_ID_PATTERN } from "./entry.js";

/** The keys of a call, validated; duplicates are dropped. */
export function keyList(keys: unknown): string[] {
  const list = typeof keys === "string" ? [keys] : keys;
  if (!Array.isArray(list) || list.length === 0) {
    throw new HubError("E_INVALID_ARGUMENT", `keys must be a key or a non-empty array of keys, got ${describeValue(keys)}`);
  }
  for (const key of list) {
    if (typeof key !== "string" || key.trim() === "") throw new HubError("E_INVALID_KEY", `key must be a non-empty string, got ${describeValue(key)}`);
  }
  return [...new Set(list as string[])];
}

export function assertSessionIdArgument(sessionId: unknown): asserts sessionId is string {
  if (!isValidSessionId(sessionId)) {
    throw new HubError("E_INVALID_ARGUMENT", `sessionId must match ${SESSION_ID_PATTERN}, got ${describeValue(sessionId)}`);
  }
}

/** The checked arguments of `touch(key, sessionId, at?)`: the time the clock moves to. */
export function touchTime(key: unknown, sessionId: unknown, at: number | undefined, now: () => number): number {
  keyList(key);
  assertSessionIdArgument(sessionId);
  const when = at ?? now();
  assertTimestamp(when, "at", "E_INVALID_ARGUMENT");
  return when;
}
