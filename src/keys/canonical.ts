/**
 * Keys given by callers: `canonicalizeSessionKey` turns any accepted spelling into the one
 * canonical key; `sessionKeyAliases` lists the legacy spellings under which a clawdbot store
 * may hold the same session. Pure.
 */
import { HubError, describeValue } from "../errors.js";
import { buildSessionKey, composeSessionKey, resolveMainKey, type KeyFields, type KeyStyle } from "./build.js";
import { caseSensitiveSet, encodeKeySegment } from "./encode.js";
import { isGroupJid } from "./from.js";
import { normalizeAgentId, normalizeChannel } from "./normalize.js";
import { parseSessionKey } from "./parse.js";
import type { ParsedSessionKey } from "./types.js";

export interface CanonicalizeOptions {
  /** The agent of keys given without `agent:<id>:`. Default `"main"`. */
  agentId?: string | undefined;
  /** Bare `main` or this key become `agent:<agentId>:<mainKey>`. Default `"main"`. */
  mainKey?: string | undefined;
  /** Channels whose ids keep their case. Default `["matrix", "signal"]`. */
  caseSensitiveChannels?: readonly string[] | undefined;
  /** Completes a legacy `group:<id>` key (`@g.us` ids imply `whatsapp`). Default: none. */
  channel?: string | undefined;
  /** `"global"`: a main alias of the agent (`main`, the mainKey, `agent:<agentId>:main`) is `global`. Default `"per-sender"`. */
  scope?: "per-sender" | "global" | undefined;
}

function invalid(key: unknown, expected: string): HubError {
  return new HubError("E_INVALID_KEY", `sessionKey must be ${expected}, got ${describeValue(key)}`);
}

/** A parsed `agent:` key in canonical form; `text` is the key it was parsed from. */
function fromParsed(parsed: ParsedSessionKey, text: string, options: CanonicalizeOptions, mainKey: string): string {
  const { kind } = parsed;
  // With a custom mainKey, `agent:<a>:main` is an alias of `agent:<a>:<mainKey>` (clawdbot too).
  if (kind === "main" && parsed.mainKey === "main") return buildSessionKey({ ...parsed, mainKey }, { caseSensitiveChannels: options.caseSensitiveChannels });
  if (kind === "main" || kind === "direct" || kind === "group" || kind === "channel") {
    return buildSessionKey(parsed, { caseSensitiveChannels: options.caseSensitiveChannels });
  }
  // cron/hook/other under an agent: the agent id is normalized, the rest kept as given.
  const rest = text.slice(text.indexOf(":", text.indexOf(":") + 1) + 1);
  return `agent:${parsed.agentId ?? "main"}:${rest}`;
}

/**
 * The canonical form of a key given by a caller (SPEC 3.2 step 1): trimmed; bare `main` or
 * the main key → `agent:<agentId>:<mainKey>`, and with a custom mainKey `agent:<a>:main` →
 * `agent:<a>:<mainKey>`; under `scope: "global"` the agent's main key → `global`; `cron:`, `hook:`, `node-`, `global` kept as
 * given; `agent:` keys rebuilt by the builder (`direct`→`dm`, ids encoded and case-folded,
 * thread/topic marker by channel) or, when they are no known form, kept with their agent id
 * normalized; a legacy `group:<id>` completed with `options.channel` (or `whatsapp` for
 * `@g.us`), else kept; any other text is scoped to the agent (`agent:<agentId>:<text>`) and
 * read as such. Idempotent. Throws `E_INVALID_KEY` for a blank or malformed key (`agent:`,
 * `agent::x`, `a::b`).
 */
export function canonicalizeSessionKey(key: string, options: CanonicalizeOptions = {}): string {
  const canonical = canonicalForm(key, options);
  if (options.scope !== "global") return canonical;
  const mainKey = `agent:${normalizeAgentId(options.agentId)}:${encodeKeySegment(resolveMainKey(options.mainKey))}`;
  return canonical === mainKey ? "global" : canonical;
}

function canonicalForm(key: string, options: CanonicalizeOptions): string {
  if (typeof key !== "string" || key.trim() === "") throw invalid(key, "a non-empty string");
  const trimmed = key.trim();
  const agentId = normalizeAgentId(options.agentId);
  const mainKey = resolveMainKey(options.mainKey);
  const lower = trimmed.toLowerCase();
  if (lower === "main" || lower === mainKey) return `agent:${agentId}:${encodeKeySegment(mainKey)}`;
  const parsed = parseSessionKey(trimmed);
  if (parsed?.agentId !== undefined) return fromParsed(parsed, trimmed, options, mainKey);
  if (lower.startsWith("agent:")) throw invalid(key, "agent:<agentId>:<rest> with no empty part");
  if (parsed !== null && (parsed.kind === "cron" || parsed.kind === "hook" || parsed.kind === "node" || parsed.kind === "global")) return trimmed;
  if (parsed?.kind === "group" && parsed.channel === undefined) {
    const peerId = parsed.peerId ?? "";
    const channel = normalizeChannel(options.channel) || (isGroupJid(peerId) ? "whatsapp" : "");
    if (channel === "") return trimmed;
    return buildSessionKey({ kind: "group", agentId, channel, peerId }, { caseSensitiveChannels: options.caseSensitiveChannels });
  }
  const scoped = `agent:${agentId}:${trimmed}`;
  const scopedParsed = parseSessionKey(scoped);
  if (scopedParsed === null) throw invalid(key, "a session key (no empty part between colons)");
  return fromParsed(scopedParsed, scoped, options, mainKey);
}

const LEGACY_STYLES: readonly KeyStyle[] = [
  { dm: "dm", encode: false },
  { dm: "direct", encode: true },
  { dm: "direct", encode: false },
];

export interface AliasOptions {
  /** Channels whose ids keep their case. Default `["matrix", "signal"]`. */
  caseSensitiveChannels?: readonly string[] | undefined;
}

/** The fields of a direct/group/channel key, or of a main key with a custom mainKey. */
function aliasFields(canonicalKey: string): KeyFields | undefined {
  const parsed = parseSessionKey(canonicalKey);
  if (parsed === null || parsed.agentId === undefined) return undefined;
  const { kind } = parsed;
  if (kind === "main" && parsed.mainKey !== undefined) {
    return { kind, agentId: parsed.agentId, mainKey: parsed.mainKey, channel: "", accountId: "", id: "", threadId: parsed.threadId ?? "" };
  }
  if ((kind !== "direct" && kind !== "group" && kind !== "channel") || parsed.peerId === undefined) return undefined;
  const channel = parsed.channel ?? "";
  return { kind, agentId: parsed.agentId, mainKey: "", channel, accountId: parsed.accountId ?? "", id: parsed.peerId, threadId: parsed.threadId ?? "" };
}

/**
 * Whether `form` parses back to the ids of `fields` (up to case when `folded`). Unencoded
 * spellings of ids with `:` or `%` can read as another id or thread (`a%3Ab` is `a:b`,
 * `x:thread:y` is `x`'s thread `y`): such a spelling names another conversation.
 */
function namesSameIds(form: string, fields: KeyFields, folded: boolean): boolean {
  const parsed = parseSessionKey(form);
  const same = (a: string, b: string) => (folded ? a.toLowerCase() === b.toLowerCase() : a === b);
  return parsed !== null && same(parsed.peerId ?? "", fields.id) && same(parsed.threadId ?? "", fields.threadId);
}

/** Every legacy spelling of `fields` (canonical form included), lower-cased ones when `fold`. */
function spellings(fields: KeyFields, fold: boolean): Set<string> {
  const forms = new Set<string>();
  const styles = fields.kind === "direct" ? LEGACY_STYLES : LEGACY_STYLES.slice(0, 1);
  const candidates = [composeSessionKey(fields), ...styles.map((style) => composeSessionKey(fields, style))];
  if (fields.kind === "group" && fields.threadId === "") candidates.push(`group:${fields.id}`);
  const ambiguous = /[:%]/.test(fields.id) || /[:%]/.test(fields.threadId);
  for (const form of candidates) {
    if (ambiguous && !namesSameIds(form, fields, false)) continue;
    forms.add(form);
    if (fold) forms.add(form.toLowerCase());
  }
  return forms;
}

/** True when the key's ids keep their case and lower-casing them would change them. */
function idsWouldFold(fields: KeyFields, options: AliasOptions): boolean {
  if (fields.channel === "" || !caseSensitiveSet(options.caseSensitiveChannels).has(fields.channel)) return false;
  return fields.id !== fields.id.toLowerCase() || fields.threadId !== fields.threadId.toLowerCase();
}

/**
 * Other spellings of a main key: `agent:<a>:main` under a custom mainKey, and for the default
 * agent the bare `main` / mainKey of clawdbot's single-agent stores (`main` → `agent:main:main`).
 */
function mainAliases(fields: KeyFields): string[] {
  const threadSuffix = fields.threadId === "" ? "" : `:thread:${encodeKeySegment(fields.threadId)}`;
  const aliases = fields.mainKey === "main" ? [] : [`agent:${fields.agentId}:main${threadSuffix}`];
  if (fields.agentId === "main" && threadSuffix === "") aliases.push(...new Set(["main", fields.mainKey]));
  return aliases;
}

/**
 * The legacy spellings under which a clawdbot store may hold the session of a canonical key,
 * each naming the same conversation: `:direct:` for `:dm:`, unencoded ids (`!room:server`),
 * the whole key lower-cased (clawdbot lower-cased every key), `group:<id>` for a group, with
 * a custom mainKey `agent:<a>:main` for `agent:<a>:<mainKey>`, and the bare `main` (or
 * mainKey) for the default agent's main key. On a case-sensitive
 * channel lower-casing would change the id and could name another conversation (two Matrix
 * rooms differing in case), so those spellings are not listed here but by
 * `caseFoldedAliases`. At most ten; empty for other keys. The canonical key is not included.
 */
export function sessionKeyAliases(canonicalKey: string, options: AliasOptions = {}): string[] {
  const fields = aliasFields(canonicalKey);
  if (fields === undefined) return [];
  if (fields.kind === "main") return mainAliases(fields);
  const aliases = spellings(fields, !idsWouldFold(fields, options));
  aliases.delete(canonicalKey);
  return [...aliases];
}

/**
 * The lower-cased spellings of a key on a case-sensitive channel whose ids have upper-case
 * letters: clawdbot may have stored this conversation under one of them, but it may as well
 * be another conversation (`!mixedroom:x` is a real room beside `!MixedRoom:x`). Only an
 * entry whose delivery target proves it is this conversation may be merged (see
 * `migrateSessionKey`). Empty for every other key.
 */
export function caseFoldedAliases(canonicalKey: string, options: AliasOptions = {}): string[] {
  const fields = aliasFields(canonicalKey);
  if (fields === undefined || fields.kind === "main" || !idsWouldFold(fields, options)) return [];
  const exact = spellings(fields, false);
  const folded = spellings({ ...fields, id: fields.id.toLowerCase(), threadId: fields.threadId.toLowerCase() }, true);
  return [...folded].filter((alias) => !exact.has(alias) && alias !== canonicalKey);
}
