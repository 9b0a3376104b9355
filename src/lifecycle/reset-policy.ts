/**
 * Which reset policy applies to one session (SPEC 4.1). Pure.
 */
import { HubError, describeValue } from "../errors.js";
import { normalizeChannel } from "../keys/normalize.js";
import { parseSessionKey } from "../keys/parse.js";
import { assertTimeZone } from "./daily-boundary.js";
import { DEFAULT_IDLE_MINUTES, DEFAULT_RESET_AT_HOUR } from "./defaults.js";
import type { ResetMode, ResetPolicy, ResolvedResetPolicy, SessionResetConfig } from "./types.js";


export type SessionType = "dm" | "group" | "thread";

export interface ResetPolicyContext {
  sessionKey: string;
  /** The message's channel; default: the channel in the key. */
  channel?: string | undefined;
  /** The message belongs to a thread even if the key does not say so. Default false. */
  isThread?: boolean | undefined;
}

type ParsedKey = ReturnType<typeof parseSessionKey>;

function typeOf(parsed: ParsedKey, sessionKey: string, isThread: boolean): SessionType {
  if (isThread) return "thread";
  // A key the parser does not know still says "thread" with the spec's markers.
  if (parsed === null) return /:(?:thread|topic):/i.test(sessionKey) ? "thread" : "dm";
  if (parsed.threadId !== undefined) return "thread";
  return parsed.chatType === "group" || parsed.chatType === "channel" ? "group" : "dm";
}

/** `thread` if the key has a thread/topic or `isThread`; else `group` for group/channel keys; else `dm`. */
export function sessionTypeOf(sessionKey: string, isThread = false): SessionType {
  return typeOf(parseSessionKey(sessionKey), sessionKey, isThread);
}

type Source = readonly [path: string, policy: ResetPolicy | undefined];

/** The first source that sets `field`, with its config path. */
function pick<F extends keyof ResetPolicy>(sources: readonly Source[], field: F): { value: NonNullable<ResetPolicy[F]>; path: string } | undefined {
  for (const [path, policy] of sources) {
    const value = policy?.[field];
    if (value !== undefined && value !== null) return { value: value as NonNullable<ResetPolicy[F]>, path: `${path}.${field}` };
  }
  return undefined;
}

function invalid(path: string, expected: string, got: unknown): HubError {
  return new HubError("E_INVALID_CONFIG", `${path}: expected ${expected}, got ${describeValue(got)}`);
}

function checkMode(found: { value: unknown; path: string } | undefined): ResetMode | undefined {
  if (found === undefined) return undefined;
  if (found.value === "daily" || found.value === "idle" || found.value === "never") return found.value;
  if (found.value === "none") return "never"; // openclaw's name for it
  throw invalid(found.path, '"daily", "idle" or "never"', found.value);
}

function checkAtHour(found: { value: unknown; path: string } | undefined): number {
  if (found === undefined) return DEFAULT_RESET_AT_HOUR;
  const { value } = found;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 23) return value;
  throw invalid(found.path, "an integer 0-23", value);
}

function checkIdleMinutes(found: { value: unknown; path: string } | undefined): number | undefined {
  if (found === undefined) return undefined;
  const { value } = found;
  // Whole minutes, at least 1, as clawdbot reads them (90.9 → 90, 0.5 → 1).
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return Math.max(Math.floor(value), 1);
  throw invalid(found.path, "a number of minutes > 0", value);
}

function checkTimeZone(found: { value: unknown; path: string } | undefined): string | undefined {
  if (found === undefined) return undefined;
  if (typeof found.value !== "string" || found.value.trim() === "") throw invalid(found.path, "an IANA time zone", found.value);
  try {
    assertTimeZone(found.value);
  } catch (error) {
    throw new HubError("E_INVALID_CONFIG", `${found.path}: expected an IANA time zone such as "Europe/Berlin", got ${describeValue(found.value)}`, {
      cause: error,
    });
  }
  return found.value;
}

/** Builds the resolved policy from sources in priority order (first wins, field by field). */
function resolveFrom(sources: readonly Source[], fallbackMode: ResetMode, timeZone: Source): ResolvedResetPolicy {
  const mode = checkMode(pick(sources, "mode")) ?? fallbackMode;
  const policy: ResolvedResetPolicy = { mode, atHour: checkAtHour(pick(sources, "atHour")) };
  const idleMinutes = checkIdleMinutes(pick(sources, "idleMinutes"));
  if (mode !== "never" && (idleMinutes !== undefined || mode === "idle")) policy.idleMinutes = idleMinutes ?? DEFAULT_IDLE_MINUTES;
  const zone = checkTimeZone(pick([...sources, timeZone], "timezone"));
  if (zone !== undefined) policy.timezone = zone;
  return policy;
}

function channelPolicy(config: SessionResetConfig, channel: string): Source | undefined {
  const byChannel = config.resetByChannel;
  if (channel === "" || byChannel === undefined || byChannel === null) return undefined;
  for (const [name, policy] of Object.entries(byChannel)) {
    if (normalizeChannel(name) === channel) return [`session.resetByChannel.${name}`, policy];
  }
  return undefined;
}

/**
 * The reset policy of one session. `resetByChannel[channel]` is the whole policy for its
 * channel; otherwise `resetByType[type]` over `reset`, field by field, then the legacy
 * `idleMinutes`. Defaults: mode `daily` (`idle` when only legacy `idleMinutes` is set), atHour
 * 4, idleMinutes 60 in `idle` mode; a fractional `idleMinutes` is floored (at least 1); no `timezone` means the host's zone. `never` carries no
 * `idleMinutes`. Invalid values throw `E_INVALID_CONFIG` naming the config path.
 */
export function resolveResetPolicy(config: SessionResetConfig | undefined, context: ResetPolicyContext): ResolvedResetPolicy {
  if (typeof context?.sessionKey !== "string") {
    throw new HubError("E_INVALID_ARGUMENT", `sessionKey must be a string, got ${describeValue(context?.sessionKey)}`);
  }
  const cfg = config ?? {};
  const parsed = parseSessionKey(context.sessionKey);
  const channel = normalizeChannel(context.channel) || (parsed?.channel ?? "");
  const timeZone: Source = ["session", { timezone: cfg.timezone }];

  const perChannel = channelPolicy(cfg, channel);
  if (perChannel !== undefined) return resolveFrom([perChannel], "daily", timeZone);

  const type = typeOf(parsed, context.sessionKey, context.isThread === true);
  const byType = cfg.resetByType ?? {};
  const typeSource: Source =
    type === "dm" && byType.dm === undefined ? ["session.resetByType.direct", byType.direct] : [`session.resetByType.${type}`, byType[type]];
  const legacy: Source = ["session", { idleMinutes: cfg.idleMinutes }];
  const legacyOnly = cfg.idleMinutes !== undefined && cfg.reset === undefined && cfg.resetByType === undefined;
  return resolveFrom([typeSource, ["session.reset", cfg.reset], legacy], legacyOnly ? "idle" : "daily", timeZone);
}
