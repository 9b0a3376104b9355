/**
 * Whether replies may be sent to a session (SPEC 4.4), and the `/send` command. Pure.
 */
import { HubError, describeValue } from "../errors.js";
import { normalizeChannel } from "../keys/normalize.js";
import { parseSessionKey } from "../keys/parse.js";
import { isPlainObject, type SessionEntry } from "../backend/shared/entry.js";
import type { SendDecision, SendPolicyConfig, SendPolicyRule, SessionLifecycleConfig } from "./types.js";

export interface SendPolicyInput {
  /**
   * The `session` config section (its `sendPolicy` is used), the `sendPolicy` object itself,
   * or a whole config with a `session` section. Default: no policy (allow).
   */
  config?: SessionLifecycleConfig | SendPolicyConfig | { session?: SessionLifecycleConfig | undefined } | undefined;
  sessionKey: string;
  /** The stored entry: its `sendPolicy` wins; its `channel`/`lastChannel`/`chatType` fill gaps. */
  entry?: Partial<Pick<SessionEntry, "sendPolicy" | "channel" | "lastChannel" | "chatType">> | undefined;
  /** Default: the entry's `channel`, else `lastChannel`, else the key's channel. */
  channel?: string | undefined;
  /** Default: the entry's `chatType`, else the key's. `dm` means `direct`, `room` means `channel`. */
  chatType?: string | undefined;
}

function sendPolicyOf(config: unknown): SendPolicyConfig | undefined {
  if (!isPlainObject(config)) return undefined;
  if (Object.hasOwn(config, "sendPolicy")) return (config.sendPolicy ?? undefined) as SendPolicyConfig | undefined;
  if (isPlainObject(config.session)) return sendPolicyOf(config.session);
  return config as SendPolicyConfig;
}

function decision(value: unknown): SendDecision | undefined {
  return value === "allow" || value === "deny" ? value : undefined;
}

/** An entry's own `sendPolicy`, read like clawdbot does: trimmed, case-insensitive (`"DENY"`). */
function entryDecision(value: unknown): SendDecision | undefined {
  return typeof value === "string" ? decision(value.trim().toLowerCase()) : undefined;
}

const MATCH_FIELDS: ReadonlySet<string> = new Set(["channel", "chatType", "keyPrefix", "rawKeyPrefix"]);

function normalizeChatType(value: unknown): string | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const type = value.trim().toLowerCase();
  if (type === "dm") return "direct";
  if (type === "room") return "channel";
  return type;
}

function checkedRule(rule: unknown, index: number): SendPolicyRule {
  const path = `session.sendPolicy.rules[${index}]`;
  if (!isPlainObject(rule)) throw new HubError("E_INVALID_CONFIG", `${path}: expected an object, got ${describeValue(rule)}`);
  if (decision(rule.action) === undefined) {
    throw new HubError("E_INVALID_CONFIG", `${path}.action: expected "allow" or "deny", got ${describeValue(rule.action)}`);
  }
  if (rule.match !== undefined && !isPlainObject(rule.match)) {
    throw new HubError("E_INVALID_CONFIG", `${path}.match: expected an object, got ${describeValue(rule.match)}`);
  }
  // An ignored field would make the rule match every session (a typo'd deny denying all).
  const unknown = Object.keys(rule.match ?? {}).filter((field) => !MATCH_FIELDS.has(field));
  if (unknown.length > 0) {
    throw new HubError("E_INVALID_CONFIG", `${path}.match: unknown ${unknown.length === 1 ? "key" : "keys"} ${unknown.map((k) => `"${k}"`).join(", ")}`);
  }
  return rule as unknown as SendPolicyRule;
}

interface Subject {
  channel: string;
  chatType: string | undefined;
  /** The key, lower-cased, as stored and without `agent:<id>:`. */
  keys: string[];
  /** The key as stored, lower-cased. */
  raw: string;
}

function ruleMatches(rule: SendPolicyRule, subject: Subject): boolean {
  const match = rule.match ?? {};
  if (match.channel !== undefined && normalizeChannel(match.channel) !== subject.channel) return false;
  if (match.chatType !== undefined && normalizeChatType(match.chatType) !== subject.chatType) return false;
  if (match.keyPrefix !== undefined) {
    const prefix = match.keyPrefix.trim().toLowerCase();
    if (!subject.keys.some((key) => key.startsWith(prefix))) return false;
  }
  if (match.rawKeyPrefix !== undefined && !subject.raw.startsWith(match.rawKeyPrefix.trim().toLowerCase())) return false;
  return true;
}

function subjectOf(input: SendPolicyInput): Subject {
  const parsed = parseSessionKey(input.sessionKey);
  const entry = input.entry ?? {};
  const channel = normalizeChannel(input.channel ?? entry.channel ?? entry.lastChannel ?? parsed?.channel ?? "");
  const chatType = normalizeChatType(input.chatType ?? entry.chatType ?? parsed?.chatType);
  const key = input.sessionKey.trim().toLowerCase();
  const agentPrefix = parsed?.agentId === undefined ? undefined : `agent:${parsed.agentId}:`;
  const keys = agentPrefix !== undefined && key.startsWith(agentPrefix) ? [key, key.slice(agentPrefix.length)] : [key];
  return { channel, chatType, keys, raw: key };
}

/**
 * `allow` or `deny` for replies to one session. The entry's own `sendPolicy` wins; otherwise
 * the rules in order: a matching `deny` decides, any matching `allow` gives allow; else the
 * policy's `default`; else allow. A rule's `match` fields must all match (channel normalized,
 * chatType exact after aliases, keyPrefix case-insensitive on the key as stored or without
 * `agent:<id>:`, rawKeyPrefix case-insensitive on the key as stored only). A malformed rule,
 * or one with a match field not listed here, throws `E_INVALID_CONFIG`.
 */
export function resolveSendPolicy(input: SendPolicyInput): SendDecision {
  if (typeof input?.sessionKey !== "string") {
    throw new HubError("E_INVALID_ARGUMENT", `sessionKey must be a string, got ${describeValue(input?.sessionKey)}`);
  }
  const override = entryDecision(input.entry?.sendPolicy);
  if (override !== undefined) return override;
  const policy = sendPolicyOf(input.config);
  if (policy === undefined) return "allow";
  if (!isPlainObject(policy)) throw new HubError("E_INVALID_CONFIG", `session.sendPolicy: expected an object, got ${describeValue(policy)}`);
  const rules: unknown = policy.rules ?? [];
  if (!Array.isArray(rules)) throw new HubError("E_INVALID_CONFIG", `session.sendPolicy.rules: expected an array, got ${describeValue(rules)}`);
  const subject = subjectOf(input);
  let allowed = false;
  for (const [index, raw] of (rules as unknown[]).entries()) {
    const rule = checkedRule(raw, index);
    if (!ruleMatches(rule, subject)) continue;
    if (rule.action === "deny") return "deny";
    allowed = true;
  }
  if (allowed) return "allow";
  if (policy.default === undefined) return "allow";
  const fallback = decision(policy.default);
  if (fallback === undefined) {
    throw new HubError("E_INVALID_CONFIG", `session.sendPolicy.default: expected "allow" or "deny", got ${describeValue(policy.default)}`);
  }
  return fallback;
}

export interface SendCommand {
  /** Absent for a bare `/send` (a status query) or an unknown argument. */
  mode?: "allow" | "deny" | "inherit";
}

/** `/send on`, clawdbot's `/send: on` and `/send:`, Telegram's `/send@bot on`. */
const SEND_COMMAND = /^\/send(?:@[A-Za-z0-9_]+)?(?:\s*:\s*(\S+)?|\s+(\S+))?$/iu;
const SEND_MODES: Readonly<Record<string, "allow" | "deny" | "inherit">> = {
  on: "allow",
  allow: "allow",
  off: "deny",
  deny: "deny",
  inherit: "inherit",
  default: "inherit",
  reset: "inherit",
};

/**
 * Parses a whole message as a `/send` command (case-insensitive; Telegram's `/send@bot` and
 * clawdbot's `/send: on` accepted): `on|allow`, `off|deny`, `inherit|default|reset` (clear the session's override).
 * `null` when the message is anything else.
 */
export function parseSendCommand(text: string): SendCommand | null {
  if (typeof text !== "string") throw new HubError("E_INVALID_ARGUMENT", `text must be a string, got ${describeValue(text)}`);
  const match = SEND_COMMAND.exec(text.trim());
  if (match === null) return null;
  const argument = (match[1] ?? match[2])?.toLowerCase();
  const mode = argument !== undefined && Object.hasOwn(SEND_MODES, argument) ? SEND_MODES[argument] : undefined;
  return mode === undefined ? {} : { mode };
}
