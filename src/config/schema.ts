/**
 * The configuration schema (SPEC 9): the shape of clawdbot's `session` section, so users can
 * copy theirs, plus `messages`. Validated with zod; errors are rendered by `validateConfig`.
 */
import { z } from "zod";
import { HubError } from "../errors.js";
import { parseDuration } from "../lifecycle/duration.js";

const timezone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      return true;
    } catch (error) {
      return !(error instanceof RangeError);
    }
  },
  { error: 'expected an IANA time zone such as "Europe/Berlin"' },
);

function intRange(min: number, max: number) {
  const error = `expected an integer ${min}-${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

const positiveNumber = z.number({ error: "expected a number > 0" }).positive({ error: "expected a number > 0" });
const nonNegativeInt = z.number({ error: "expected an integer >= 0" }).int({ error: "expected an integer >= 0" }).min(0, { error: "expected an integer >= 0" });

const DURATION_ERROR = 'expected a positive duration such as "30d", "12h", "90m" or a number of ms';

/** True when `parseDuration` (used where durations are applied) accepts the value. */
function isDuration(value: string | number): boolean {
  try {
    parseDuration(value, "duration");
    return true;
  } catch (error) {
    if (error instanceof HubError) return false;
    throw error;
  }
}

/**
 * A duration: `"30d"`, `"12h"`, `"90m"`, `"45s"`, or a number of ms > 0. Checked with the same
 * parser that applies it, so a value that passes here cannot fail later.
 */
const duration = z.union([z.string(), z.number()], { error: DURATION_ERROR }).refine(isDuration, { error: DURATION_ERROR });

export const resetPolicySchema = z.strictObject({
  // "none" is openclaw's name for "never".
  mode: z.enum(["daily", "idle", "never", "none"], { error: 'expected "daily", "idle" or "never"' }).optional(),
  atHour: intRange(0, 23).optional(),
  idleMinutes: positiveNumber.optional(),
  timezone: timezone.optional(),
});

const chatTypeName = z.enum(["direct", "group", "channel"], { error: 'expected "direct", "group" or "channel"' });

export const sendPolicySchema = z.strictObject({
  default: z.enum(["allow", "deny"], { error: 'expected "allow" or "deny"' }).optional(),
  rules: z
    .array(
      z.strictObject({
        action: z.enum(["allow", "deny"], { error: 'expected "allow" or "deny"' }),
        match: z
          .strictObject({
            channel: z.string().optional(),
            chatType: chatTypeName.optional(),
            keyPrefix: z.string().optional(),
            rawKeyPrefix: z.string().optional(),
          })
          .optional(),
      }),
    )
    .optional(),
});

export const sessionConfigSchema = z.object({
  dmScope: z
    .enum(["main", "per-peer", "per-channel-peer", "per-account-channel-peer"], {
      error: 'expected "main", "per-peer", "per-channel-peer" or "per-account-channel-peer"',
    })
    .optional(),
  mainKey: z.string().min(1, { error: "expected a non-empty string" }).optional(),
  scope: z.enum(["per-sender", "global"], { error: 'expected "per-sender" or "global"' }).optional(),
  identityLinks: z.record(z.string(), z.array(z.string())).optional(),
  caseSensitiveChannels: z.array(z.string()).optional(),
  reset: resetPolicySchema.optional(),
  resetByType: z
    .strictObject({
      dm: resetPolicySchema.optional(),
      direct: resetPolicySchema.optional(),
      group: resetPolicySchema.optional(),
      thread: resetPolicySchema.optional(),
    })
    .optional(),
  resetByChannel: z.record(z.string(), resetPolicySchema).optional(),
  /** Legacy: idle-only reset after this many minutes. */
  idleMinutes: positiveNumber.optional(),
  timezone: timezone.optional(),
  resetTriggers: z.array(z.string().min(1, { error: "expected a non-empty trigger" })).optional(),
  sendPolicy: sendPolicySchema.optional(),
  /** A blank path means the default store, as in clawdbot. */
  store: z
    .string()
    .transform((store) => (store.trim() === "" ? undefined : store))
    .optional(),
  maintenance: z
    .strictObject({
      pruneAfter: duration.optional(),
      maxEntries: z.number({ error: "expected an integer > 0" }).int({ error: "expected an integer > 0" }).positive({ error: "expected an integer > 0" }).optional(),
      machinePruneAfter: duration.optional(),
      archiveRetention: duration.optional(),
    })
    .optional(),
});

const queueMode = z.enum(["followup", "collect", "interrupt"], { error: 'expected "followup", "collect" or "interrupt"' });

export const messagesConfigSchema = z.object({
  /**
   * `hub.run`'s policy for messages arriving during a turn: `mode` (default `collect`), per
   * channel `byChannel`, `cap` on the waiting messages (default 20), `drop` when full (`old`,
   * the default, or `new`). A session's entry overrides them (`queueMode`, `queueCap`, `queueDrop`).
   */
  queue: z
    .strictObject({
      mode: queueMode.optional(),
      byChannel: z.record(z.string(), queueMode).optional(),
      cap: z.number({ error: "expected an integer > 0" }).int({ error: "expected an integer > 0" }).positive({ error: "expected an integer > 0" }).optional(),
      drop: z.enum(["old", "new"], { error: 'expected "old" or "new"' }).optional(),
    })
    .optional(),
  dedupe: z.strictObject({ ttl: duration.optional() }).optional(),
  inbound: z
    .strictObject({
      debounceMs: nonNegativeInt.optional(),
      byChannel: z.record(z.string(), nonNegativeInt).optional(),
    })
    .optional(),
});

export const hubConfigSchema = z.object({
  session: sessionConfigSchema.optional(),
  messages: messagesConfigSchema.optional(),
});

/** The configuration object (the parsed `hub.json5`). Every field is optional. */
export type HubConfig = z.input<typeof hubConfigSchema>;
export type SessionConfig = z.output<typeof sessionConfigSchema>;
