/**
 * Whether a session is still fresh when the next inbound message arrives (SPEC 4.1). Pure;
 * the clock is the caller's `now`.
 */
import { HubError, describeValue } from "../errors.js";
import { hostTimeZone, nextBoundaryAfter } from "./daily-boundary.js";
import { DEFAULT_IDLE_MINUTES, DEFAULT_RESET_AT_HOUR, FUTURE_SKEW_MS } from "./defaults.js";
import type { ResetMode } from "./types.js";

/** What `evaluateFreshness` needs of a policy (a `resolveResetPolicy` result fits). */
export interface FreshnessPolicy {
  mode: ResetMode;
  /** Default 4. */
  atHour?: number | undefined;
  /** Default: none (60 in `idle` mode). */
  idleMinutes?: number | undefined;
  /** Default: the host's zone. */
  timezone?: string | undefined;
}

export interface FreshnessInput {
  /** The entry's activity clock (epoch ms). */
  updatedAt: number;
  /** The arrival time of the message being routed (epoch ms). */
  now: number;
  policy: FreshnessPolicy;
}

export interface Freshness {
  fresh: boolean;
  /** Set when stale: the expiry that came first. */
  reason?: "daily" | "idle";
}

function assertTime(value: unknown, name: string): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new HubError("E_INVALID_ARGUMENT", `${name} must be a finite epoch-ms number, got ${describeValue(value)}`);
  }
}

function checkedPolicy(policy: FreshnessPolicy): { mode: ResetMode; atHour: number; idleMs: number | undefined; timezone: string | undefined } {
  const { mode } = policy ?? {};
  if (mode !== "daily" && mode !== "idle" && mode !== "never") {
    throw new HubError("E_INVALID_ARGUMENT", `policy.mode must be "daily", "idle" or "never", got ${describeValue(mode)}`);
  }
  const atHour = policy.atHour ?? DEFAULT_RESET_AT_HOUR;
  if (!Number.isInteger(atHour) || atHour < 0 || atHour > 23) {
    throw new HubError("E_INVALID_ARGUMENT", `policy.atHour must be an integer 0-23, got ${describeValue(atHour)}`);
  }
  const idleMinutes = policy.idleMinutes ?? (mode === "idle" ? DEFAULT_IDLE_MINUTES : undefined);
  if (idleMinutes !== undefined && !(Number.isFinite(idleMinutes) && idleMinutes > 0)) {
    throw new HubError("E_INVALID_ARGUMENT", `policy.idleMinutes must be a number of minutes > 0, got ${describeValue(idleMinutes)}`);
  }
  const idleMs = idleMinutes === undefined ? undefined : idleMinutes * 60_000;
  return { mode, atHour, idleMs, timezone: policy.timezone };
}

/**
 * `daily`: stale once a daily boundary (see `daily-boundary.ts`) lies after `updatedAt` and
 * at or before `now`. `idleMinutes` (any mode but `never`): stale when
 * `now > updatedAt + idleMinutes`. With both, the reason is whichever expired first (the
 * daily one on a tie). An `updatedAt` more than `FUTURE_SKEW_MS` (5 min) after `now` is
 * stale (reason: the mode). `never`: always fresh.
 */
export function evaluateFreshness(input: FreshnessInput): Freshness {
  assertTime(input?.updatedAt, "updatedAt");
  assertTime(input.now, "now");
  const { updatedAt, now } = input;
  const policy = checkedPolicy(input.policy);
  if (policy.mode === "never") return { fresh: true };
  // A clock in the future (a bad timestamp, a hand edit) must not make a session immune.
  if (updatedAt > now + FUTURE_SKEW_MS) return { fresh: false, reason: policy.mode };

  const idleExpiry = policy.idleMs === undefined ? undefined : updatedAt + policy.idleMs;
  const idleStale = idleExpiry !== undefined && now > idleExpiry;
  if (policy.mode === "daily") {
    const boundary = nextBoundaryAfter(updatedAt, policy.atHour, policy.timezone ?? hostTimeZone());
    if (boundary <= now && (idleExpiry === undefined || boundary <= idleExpiry)) return { fresh: false, reason: "daily" };
  }
  return idleStale ? { fresh: false, reason: "idle" } : { fresh: true };
}
