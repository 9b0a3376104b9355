/**
 * Ids inside keys: their case rules per channel, E.164 for phone channels, and the
 * percent-encoding of `%` and `:` that keeps the key grammar unambiguous. Pure.
 */
import { normalizeChannel } from "./normalize.js";
import { PHONE_CHANNELS, isAlreadyE164, normalizeE164 } from "./phone.js";

/** Channels whose ids keep their case unless `caseSensitiveChannels` says otherwise. */
export const DEFAULT_CASE_SENSITIVE_CHANNELS: readonly string[] = Object.freeze(["matrix", "signal"]);

const DEFAULT_SET: ReadonlySet<string> = new Set(DEFAULT_CASE_SENSITIVE_CHANNELS);
const setCache = new WeakMap<readonly string[], ReadonlySet<string>>();

/** The normalized set of case-sensitive channels (cached per array). */
export function caseSensitiveSet(channels: readonly string[] | undefined): ReadonlySet<string> {
  if (channels === undefined) return DEFAULT_SET;
  let set = setCache.get(channels);
  if (set === undefined) {
    set = new Set(Array.from(channels, (channel) => normalizeChannel(channel)).filter((channel) => channel !== ""));
    setCache.set(channels, set);
  }
  return set;
}

/**
 * An id as it goes into a key: a string (or finite number) trimmed, and lower-cased unless
 * `caseSensitive`. Anything else, or a blank string, is `""` (absent).
 */
export function normalizeIdValue(raw: unknown, caseSensitive: boolean): string {
  let text: string;
  if (typeof raw === "string") text = raw.trim();
  else if (typeof raw === "number" && Number.isFinite(raw)) text = String(raw);
  else return "";
  return caseSensitive ? text : text.toLowerCase();
}

/**
 * A direct peer id: like `normalizeIdValue`, and on WhatsApp and Signal a phone number
 * becomes E.164 (`+1 (555) 010-2030` → `+15550102030`).
 */
export function normalizePeerId(raw: unknown, channel: string, caseSensitive: boolean): string {
  const id = normalizeIdValue(raw, caseSensitive);
  if (id === "" || !PHONE_CHANNELS.has(channel) || isAlreadyE164(id)) return id;
  return normalizeE164(id) ?? id;
}

/** `%` → `%25`, `:` → `%3A`; nothing else changes. */
export function encodeKeySegment(value: string): string {
  if (value.indexOf("%") === -1 && value.indexOf(":") === -1) return value;
  return value.replaceAll("%", "%25").replaceAll(":", "%3A");
}

const ESCAPE = /%(?:25|3[aA])/g;

/** The inverse of `encodeKeySegment` (`%3a` accepted too); other `%` sequences stay as they are. */
export function decodeKeySegment(segment: string): string {
  if (segment.indexOf("%") === -1) return segment;
  return segment.replace(ESCAPE, (escape) => (escape === "%25" ? "%" : ":"));
}
