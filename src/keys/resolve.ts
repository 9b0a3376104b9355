/**
 * `resolveSessionKey`: which session an inbound message belongs to (SPEC 3.2). Pure; never
 * throws on arbitrary network strings, only when no key can be formed (see the function).
 */
import { HubError, describeValue } from "../errors.js";
import { assertNotStructural, composeSessionKey, resolveMainKey, type KeyFields } from "./build.js";
import { canonicalizeSessionKey } from "./canonical.js";
import { caseSensitiveSet, normalizeIdValue, normalizePeerId } from "./encode.js";
import { inferKindFromText, parseFrom, type FromParts } from "./from.js";
import { compileIdentityLinks, matchIdentityLink, type CompiledLinks } from "./identity-links.js";
import { normalizeAccountId, normalizeAgentId, normalizeChannel } from "./normalize.js";
import type { DmScope, KeyChatType, ResolveSessionKeyOptions, SessionKeyContext } from "./types.js";

interface Settings {
  agentId: string;
  mainKey: string;
  dmScope: DmScope;
  links: CompiledLinks | undefined;
  caseSensitive: ReadonlySet<string>;
}

function invalid(message: string): HubError {
  return new HubError("E_INVALID_KEY", message);
}

function readDmScope(raw: unknown): DmScope {
  if (raw === undefined) return "per-channel-peer";
  if (raw === "main" || raw === "per-peer" || raw === "per-channel-peer" || raw === "per-account-channel-peer") return raw;
  throw invalid(`dmScope must be one of main, per-peer, per-channel-peer, per-account-channel-peer, got ${describeValue(raw)}`);
}

export function readChatType(raw: unknown): KeyChatType | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  if (raw === "direct" || raw === "group" || raw === "channel") return raw;
  const word = typeof raw === "string" ? raw.trim().toLowerCase() : raw;
  if (word === "direct" || word === "dm") return "direct";
  if (word === "group") return "group";
  if (word === "channel" || word === "room") return "channel";
  throw invalid(`chatType must be one of direct, dm, group, channel, room, got ${describeValue(raw)}`);
}

function readSettings(options: ResolveSessionKeyOptions): Settings {
  return {
    agentId: normalizeAgentId(options.agentId),
    mainKey: resolveMainKey(options.mainKey),
    dmScope: readDmScope(options.dmScope),
    links: compileIdentityLinks(options.identityLinks),
    caseSensitive: caseSensitiveSet(options.caseSensitiveChannels),
  };
}

function fields(kind: KeyFields["kind"], s: Settings, channel: string, id: string, threadId: string): KeyFields {
  return { kind, agentId: s.agentId, mainKey: s.mainKey, channel, accountId: "", id, threadId };
}

/** `ctx.peerId` unless it is blank, else the id read from `from`. */
function pickId(peerId: unknown, fromId: string): unknown {
  if (typeof peerId === "string" ? peerId.trim() !== "" : typeof peerId === "number") return peerId;
  return fromId;
}

function channelError(ctx: SessionKeyContext, what: string): HubError {
  return invalid(`channel is required for ${what}: ctx.channel is ${describeValue(ctx.channel)} and from ${describeValue(ctx.from)} names none`);
}

function groupKey(ctx: SessionKeyContext, s: Settings, kind: "group" | "channel", channel: string, from: FromParts, threadId: string): string {
  if (channel === "") throw channelError(ctx, `a ${kind} message`);
  const id = normalizeIdValue(pickId(ctx.peerId, from.id), s.caseSensitive.has(channel));
  if (id === "") throw invalid(`peerId (or from) must name the ${kind} of a ${kind} message, got peerId ${describeValue(ctx.peerId)}, from ${describeValue(ctx.from)}`);
  return composeSessionKey(fields(kind, s, channel, id, threadId));
}

function directKey(ctx: SessionKeyContext, s: Settings, channel: string, from: FromParts, threadId: string): string {
  const peerId = normalizePeerId(pickId(ctx.peerId, from.id), channel, s.caseSensitive.has(channel));
  if (peerId === "" || s.dmScope === "main") return composeSessionKey(fields("main", s, "", "", threadId.toLowerCase()));
  const linked = s.links === undefined ? undefined : matchIdentityLink(s.links, channel, peerId);
  if (linked !== undefined) return composeSessionKey(fields("direct", s, "", linked, threadId.toLowerCase()));
  if (s.dmScope === "per-peer") return composeSessionKey(fields("direct", s, "", peerId.toLowerCase(), threadId.toLowerCase()));
  if (channel === "") throw channelError(ctx, `dmScope ${s.dmScope}`);
  const key = fields("direct", s, channel, peerId, threadId);
  if (s.dmScope === "per-account-channel-peer") {
    key.accountId = normalizeAccountId(ctx.accountId);
    assertNotStructural(key.accountId, "accountId");
  }
  return composeSessionKey(key);
}

/**
 * The session key of an inbound message (SPEC 3.2): an explicit `sessionKey` canonicalized
 * (a main alias under `scope: "global"` is `global`); `global` under `scope: "global"`; else a group/channel key, or a direct key shaped by
 * `dmScope` and `identityLinks`. A direct message without a peer id gets the main key.
 *
 * Throws `HubError` `E_INVALID_KEY`, naming the field, only when no key can be formed: a
 * group/channel message without a channel (none given, none in `from`, no `@g.us`) or
 * without an id; a direct message under `per-channel-peer`/`per-account-channel-peer` with a
 * peer but no channel; an explicit `sessionKey` that is a malformed `agent:` key; a channel,
 * account id or main key that is a word of the grammar (`dm`, `direct`, `group`, `channel`);
 * an unknown `chatType`/`dmScope`/`scope` or malformed `identityLinks`.
 */
export function resolveSessionKey(ctx: SessionKeyContext, options: ResolveSessionKeyOptions = {}): string {
  if (ctx === null || typeof ctx !== "object") throw invalid(`ctx must be an object, got ${describeValue(ctx)}`);
  const opts = options ?? {};
  const sessionKey = ctx.sessionKey;
  if (sessionKey !== undefined && sessionKey !== null && (typeof sessionKey !== "string" || sessionKey.trim() !== "")) {
    const { agentId, mainKey, caseSensitiveChannels, scope } = opts;
    return canonicalizeSessionKey(sessionKey, { agentId, mainKey, caseSensitiveChannels, channel: ctx.channel, scope });
  }
  if (opts.scope === "global") return "global";
  if (opts.scope !== undefined && opts.scope !== "per-sender") throw invalid(`scope must be "per-sender" or "global", got ${describeValue(opts.scope)}`);
  const s = readSettings(opts);
  const given = normalizeChannel(ctx.channel);
  if (given !== "") assertNotStructural(given, "channel");
  const from = parseFrom(ctx.from, given);
  const channel = given || from.channel;
  const kind = readChatType(ctx.chatType) ?? from.kind ?? inferKindFromText(ctx.from) ?? "direct";
  const caseSensitive = channel !== "" && s.caseSensitive.has(channel);
  const threadId = normalizeIdValue(ctx.threadId, caseSensitive) || normalizeIdValue(from.threadId, caseSensitive);
  return kind === "direct" ? directKey(ctx, s, channel, from, threadId) : groupKey(ctx, s, kind, channel, from, threadId);
}
