/**
 * Reading the raw `from` address of an inbound message (SPEC 3.2 steps 3-4): its channel
 * prefix, its chat kind and its id. Legacy forms: `group:<id>`, `<channel>:group:<id>`,
 * `<id>@g.us`. Pure; never throws.
 */
import { STRUCTURAL_WORDS, normalizeChannel } from "./normalize.js";
import type { KeyChatType } from "./types.js";

export interface FromParts {
  /** The channel named by a `<channel>:` prefix (or `whatsapp` for `@g.us`), else `""`. */
  channel: string;
  /** The chat kind named by the address, if any. */
  kind: KeyChatType | undefined;
  /** The id with its prefixes removed, as written (not trimmed further, case kept). */
  id: string;
  /** A `:topic:<t>` / `:thread:<t>` suffix (clawdbot's Telegram forum `from`), else `""`. */
  threadId: string;
}

const EMPTY: FromParts = Object.freeze({ channel: "", kind: undefined, id: "", threadId: "" });
/** What a bare `<word>:` prefix must look like to be taken for a channel name. */
const CHANNEL_TOKEN = /^[a-z][a-z0-9_-]{0,31}$/;
const THREAD_SUFFIX = /:(?:topic|thread):(?=[^:]+$)/i;

function kindWord(word: string): KeyChatType | undefined {
  switch (word.trim().toLowerCase()) {
    case "group":
      return "group";
    case "channel":
    case "room":
      return "channel";
    case "dm":
    case "direct":
      return "direct";
    default:
      return undefined;
  }
}

/** A WhatsApp group JID (`<id>@g.us`). */
export function isGroupJid(id: string): boolean {
  return id.length > 5 && id.charCodeAt(id.length - 5) === 64 && id.slice(-4).toLowerCase() === "g.us";
}

/** Splits `text` at its first `:` into a normalized head and the rest, or null. */
function head(text: string): [string, string] | null {
  const colon = text.indexOf(":");
  return colon <= 0 ? null : [text.slice(0, colon), text.slice(colon + 1)];
}

/** A leading `group:`/`channel:`/`dm:` word and the rest, or null. */
function takeKind(text: string): [KeyChatType, string] | null {
  const split = head(text);
  const kind = split === null ? undefined : kindWord(split[0]);
  return split === null || kind === undefined ? null : [kind, split[1]];
}

/**
 * A leading `<channel>:` and the rest, or null. With `knownChannel` only that channel's
 * prefix is taken; otherwise any word that looks like a channel name.
 */
function takeChannel(text: string, knownChannel: string): [string, string] | null {
  const split = head(text);
  if (split === null || kindWord(split[0]) !== undefined) return null;
  const named = normalizeChannel(split[0]);
  const isChannel = knownChannel === "" ? CHANNEL_TOKEN.test(named) && !STRUCTURAL_WORDS.has(named) : named === knownChannel;
  return isChannel ? [named, split[1]] : null;
}

/**
 * Reads `from`. `knownChannel` is the normalized `ctx.channel` (or `""`): when given, only a
 * prefix naming that channel is removed; otherwise any `<word>:` prefix that looks like a
 * channel name is taken for one. `@alice:matrix.org` and `+1555...` have no prefix. Forms:
 * `<channel>:<kind>:<id>`, `<channel>:<id>`, `<kind>:<id>`, and clawdbot's old
 * `group:<channel>:<id>` (`group:discord:123`, `group:slack:channel:C1`).
 */
export function parseFrom(raw: unknown, knownChannel: string): FromParts {
  if (typeof raw !== "string") return EMPTY;
  let rest = raw.trim();
  if (rest === "") return EMPTY;
  let channel = "";
  let kind: KeyChatType | undefined;
  const leadingKind = takeKind(rest);
  if (leadingKind !== null) [kind, rest] = leadingKind;
  const named = takeChannel(rest, knownChannel);
  if (named !== null) {
    [channel, rest] = named;
    const second = takeKind(rest);
    if (second !== null) [kind, rest] = second;
  }
  let threadId = "";
  const suffix = rest.indexOf(":") === -1 ? null : THREAD_SUFFIX.exec(rest);
  if (suffix !== null && suffix.index > 0) {
    threadId = rest.slice(suffix.index + suffix[0].length);
    rest = rest.slice(0, suffix.index);
  }
  if (isGroupJid(rest)) {
    kind ??= "group";
    if (kind === "group" && channel === "" && knownChannel === "") channel = "whatsapp";
  }
  return { channel, kind, id: rest, threadId };
}

/**
 * SPEC 3.2 step 3 for a `from` that no structured reading classified: a group if it contains
 * `:group:`, a channel if it contains `:channel:`.
 */
export function inferKindFromText(raw: unknown): KeyChatType | undefined {
  if (typeof raw !== "string" || raw.indexOf(":") === -1) return undefined;
  const lower = raw.toLowerCase();
  if (lower.includes(":group:")) return "group";
  if (lower.includes(":channel:")) return "channel";
  return undefined;
}
