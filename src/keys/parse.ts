/**
 * THE parser: key → parts (SPEC 3.1). Reads canonical keys, clawdbot's `direct` marker and
 * unencoded ids (`!room:server.org`), legacy `group:<id>` and `<channel>:group:<id>` keys.
 * Never throws: anything that is not a key is `null`.
 */
import { decodeKeySegment } from "./encode.js";
import { STRUCTURAL_WORDS, normalizeAccountId, normalizeChannel, normalizeMainKey, normalizeTokenOrUndefined } from "./normalize.js";
import type { ParsedSessionKey } from "./types.js";

type Marker = "dm" | "group" | "channel" | "thread";

/** The grammar word a segment spells (case-insensitive), with `direct`→`dm`, `topic`→`thread`. */
function markerOf(segment: string | undefined): Marker | undefined {
  if (segment === undefined || segment.length < 2 || segment.length > 7) return undefined;
  switch (segment.toLowerCase()) {
    case "dm":
    case "direct":
      return "dm";
    case "group":
      return "group";
    case "channel":
      return "channel";
    case "thread":
    case "topic":
      return "thread";
    default:
      return undefined;
  }
}

function isBlank(segment: string): boolean {
  if (segment === "") return true;
  const first = segment.charCodeAt(0);
  return (first <= 32 || first >= 0x80) && segment.trim() === "";
}

const WHITESPACE = /\s/;

function hasPrefix(text: string, prefix: string): boolean {
  return text.length > prefix.length && (text.startsWith(prefix) || text.slice(0, prefix.length).toLowerCase() === prefix);
}

/** The channel a segment names, or `""` when it cannot be one. */
function channelOf(segment: string): string {
  const channel = normalizeChannel(decodeKeySegment(segment));
  return STRUCTURAL_WORDS.has(channel) ? "" : channel;
}

/**
 * Splits the id part of a key (segments `from`..end) into id and thread. Canonical keys have
 * one segment, or three with a thread marker in the middle; clawdbot's unencoded ids span
 * several segments, so the last thread marker with something on both sides splits them.
 */
function readId(segments: readonly string[], from: number, out: ParsedSessionKey): void {
  const end = segments.length;
  if (end - from === 1) {
    out.peerId = decodeKeySegment(segments[from] as string);
    return;
  }
  let split = -1;
  for (let i = end - 2; i > from; i--) {
    if (markerOf(segments[i]) === "thread") {
      split = i;
      break;
    }
  }
  const idEnd = split === -1 ? end : split;
  out.peerId = segments.slice(from, idEnd).map(decodeKeySegment).join(":");
  if (split !== -1) out.threadId = segments.slice(split + 1).map(decodeKeySegment).join(":");
}

/** The main key a segment spells, or `""` when it cannot be one. */
function mainKeyOf(segment: string): string {
  const mainKey = normalizeMainKey(decodeKeySegment(segment));
  return STRUCTURAL_WORDS.has(mainKey) ? "" : mainKey;
}

/** `<channel>:dm|group|channel:<id>` or `<channel>:<accountId>:dm:<id>` (after `agent:<a>:`). */
function parseChannelKey(segments: string[], agentId: string, channel: string): ParsedSessionKey | null {
  const m1 = markerOf(segments[3]);
  if (m1 === "dm" || m1 === "group" || m1 === "channel") {
    const kind = m1 === "dm" ? "direct" : m1;
    const out: ParsedSessionKey = { kind, agentId, channel, chatType: kind };
    readId(segments, 4, out);
    return out;
  }
  const accountId = normalizeAccountId(segments[3]);
  if (segments.length >= 6 && markerOf(segments[4]) === "dm" && !STRUCTURAL_WORDS.has(accountId)) {
    const out: ParsedSessionKey = { kind: "direct", agentId, channel, accountId, chatType: "direct" };
    readId(segments, 5, out);
    return out;
  }
  return null;
}

/** `agent:<agentId>:<rest>`; `segments[0]` is `agent`. */
function parseAgentKey(segments: string[]): ParsedSessionKey | null {
  const n = segments.length - 2;
  if (n < 1) return null;
  for (const segment of segments) if (isBlank(segment)) return null;
  const agentId = normalizeTokenOrUndefined(segments[1]);
  if (agentId === undefined) return null;
  const s0 = segments[2] as string;
  if (n >= 2 && markerOf(s0) === "dm") {
    const out: ParsedSessionKey = { kind: "direct", agentId, chatType: "direct" };
    readId(segments, 3, out);
    return out;
  }
  const channel = n >= 3 ? channelOf(s0) : "";
  const structured = channel === "" ? null : parseChannelKey(segments, agentId, channel);
  if (structured !== null) return structured;
  const mainKey = n === 1 || markerOf(segments[3]) === "thread" ? mainKeyOf(s0) : "";
  if (mainKey !== "" && n === 1) return { kind: "main", agentId, mainKey };
  if (mainKey !== "" && n >= 3) return { kind: "main", agentId, mainKey, threadId: segments.slice(4).map(decodeKeySegment).join(":") };
  const word = s0.toLowerCase();
  return { kind: word === "cron" || word === "hook" ? word : "other", agentId };
}

/** Keys without the `agent:` prefix. */
function parseBareKey(key: string): ParsedSessionKey | null {
  const lower = key.length <= 6 ? key.toLowerCase() : "";
  if (lower === "global") return { kind: "global" };
  if (hasPrefix(key, "cron:")) return { kind: "cron" };
  if (hasPrefix(key, "hook:")) return { kind: "hook" };
  if (hasPrefix(key, "node-")) return { kind: "node" };
  if (hasPrefix(key, "group:")) {
    const id = key.slice(6);
    return isBlank(id) ? null : { kind: "group", chatType: "group", peerId: decodeKeySegment(id) };
  }
  if (WHITESPACE.test(key)) return null;
  const segments = key.split(":");
  for (const segment of segments) if (segment === "") return null;
  const kind = markerOf(segments[1]);
  const channel = channelOf(segments[0] as string);
  if (segments.length >= 3 && channel !== "" && (kind === "group" || kind === "channel")) {
    return { kind, channel, chatType: kind, peerId: segments.slice(2).map(decodeKeySegment).join(":") };
  }
  return { kind: "other" };
}

/**
 * The parts of a session key, or `null` for a non-key (not a string, blank, an `agent:` key
 * with an empty part or no valid agent id, text with whitespace that is no known form).
 * Structural parts come back normalized; ids decoded but in the case written. Never throws.
 */
export function parseSessionKey(key: string): ParsedSessionKey | null {
  if (typeof key !== "string") return null;
  const trimmed = key.trim();
  if (trimmed === "") return null;
  if (hasPrefix(trimmed, "agent:")) return parseAgentKey(trimmed.split(":"));
  return parseBareKey(trimmed);
}
