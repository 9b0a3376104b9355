/**
 * THE builder: key parts → the one canonical key (SPEC 3.1). Every key this library makes
 * goes through `composeSessionKey`; `parseSessionKey` reads each back to the same parts.
 */
import { HubError, describeValue } from "../errors.js";
import { caseSensitiveSet, encodeKeySegment, normalizeIdValue, normalizePeerId } from "./encode.js";
import { STRUCTURAL_WORDS, normalizeAccountId, normalizeAgentId, normalizeChannel, normalizeMainKey } from "./normalize.js";
import type { KeyChatType, SessionKeyKind } from "./types.js";

/** Normalized fields of a buildable key; `""` means absent. */
export interface KeyFields {
  kind: "main" | KeyChatType;
  agentId: string;
  /** main keys only. */
  mainKey: string;
  /** Required for group/channel keys; absent on per-peer direct keys. */
  channel: string;
  /** Direct keys with a channel only: makes a per-account-channel-peer key. */
  accountId: string;
  /** The peer/group/channel id (required but for main keys). */
  id: string;
  threadId: string;
}

/** How a key is spelled: the canonical style, or one of clawdbot's legacy spellings. */
export interface KeyStyle {
  /** The direct marker. Canonical `dm`; clawdbot wrote `direct`. */
  dm: "dm" | "direct";
  /** Percent-encode `%` and `:` in ids. Canonical true; clawdbot did not. */
  encode: boolean;
}

const CANONICAL: KeyStyle = { dm: "dm", encode: true };

const keep = (value: string) => value;

/** `topic` for a Telegram group thread, `thread` for everything else. */
export function threadMarkerFor(kind: KeyFields["kind"], channel: string): "topic" | "thread" {
  return kind === "group" && channel === "telegram" ? "topic" : "thread";
}

/** Formats normalized fields; callers validate first (see `buildSessionKey`). */
export function composeSessionKey(fields: KeyFields, style: KeyStyle = CANONICAL): string {
  const enc = style.encode ? encodeKeySegment : keep;
  const { kind, agentId, channel } = fields;
  let key: string;
  if (kind === "main") key = `agent:${agentId}:${enc(fields.mainKey)}`;
  else if (kind !== "direct") key = `agent:${agentId}:${enc(channel)}:${kind}:${enc(fields.id)}`;
  else if (channel === "") key = `agent:${agentId}:${style.dm}:${enc(fields.id)}`;
  else if (fields.accountId === "") key = `agent:${agentId}:${enc(channel)}:${style.dm}:${enc(fields.id)}`;
  else key = `agent:${agentId}:${enc(channel)}:${fields.accountId}:${style.dm}:${enc(fields.id)}`;
  if (fields.threadId !== "") key += `:${threadMarkerFor(kind, channel)}:${enc(fields.threadId)}`;
  return key;
}

/** Throws `E_INVALID_KEY` when a channel, account id or main key is a word of the grammar. */
export function assertNotStructural(value: string, field: string): void {
  if (STRUCTURAL_WORDS.has(value)) {
    throw new HubError("E_INVALID_KEY", `${field} must not be one of ${[...STRUCTURAL_WORDS].join(", ")} (words of the key grammar), got ${describeValue(value)}`);
  }
}

/** The main key, validated. */
export function resolveMainKey(raw: unknown, field = "mainKey"): string {
  const mainKey = normalizeMainKey(raw);
  assertNotStructural(mainKey, field);
  return mainKey;
}

/** Parts for `buildSessionKey`; a `ParsedSessionKey` of a main/direct/group/channel key is one. */
export interface SessionKeyParts {
  kind: SessionKeyKind;
  /** Default `"main"`. */
  agentId?: string | undefined;
  /** main keys: default `"main"`. */
  mainKey?: string | undefined;
  /** Required for group/channel keys; on direct keys its absence makes a per-peer key. */
  channel?: string | undefined;
  /** Direct keys with a channel: makes a per-account-channel-peer key. Default: none. */
  accountId?: string | undefined;
  /** Ignored: `kind` decides. */
  chatType?: KeyChatType | undefined;
  /** Required for direct/group/channel keys. */
  peerId?: string | undefined;
  threadId?: string | number | undefined;
}

export interface BuildSessionKeyOptions {
  /** Channels whose ids keep their case. Default `["matrix", "signal"]`. */
  caseSensitiveChannels?: readonly string[] | undefined;
}

function invalid(message: string): HubError {
  return new HubError("E_INVALID_KEY", message);
}

/**
 * The canonical key of `parts`. Ids are trimmed, lower-cased unless the key names a
 * case-sensitive channel (keys without a channel always lower-case them), E.164 on WhatsApp
 * and Signal direct keys, and `%`/`:` percent-encoded. Throws `E_INVALID_KEY` naming the part
 * that cannot form a key (`kind` other than main/direct/group/channel, a missing `peerId`...).
 */
export function buildSessionKey(parts: SessionKeyParts, options: BuildSessionKeyOptions = {}): string {
  const kind = parts?.kind;
  if (kind !== "main" && kind !== "direct" && kind !== "group" && kind !== "channel") {
    throw invalid(`kind must be one of main, direct, group, channel to build a key, got ${describeValue(kind)}`);
  }
  const channel = kind === "main" ? "" : normalizeChannel(parts.channel);
  if (channel !== "") assertNotStructural(channel, "channel");
  const caseSensitive = channel !== "" && caseSensitiveSet(options.caseSensitiveChannels).has(channel);
  const fields: KeyFields = {
    kind,
    agentId: normalizeAgentId(parts.agentId),
    mainKey: kind === "main" ? resolveMainKey(parts.mainKey) : "",
    channel,
    accountId: "",
    id: "",
    threadId: normalizeIdValue(parts.threadId, caseSensitive),
  };
  if (kind === "main") return composeSessionKey(fields);
  fields.id = kind === "direct" ? normalizePeerId(parts.peerId, channel, caseSensitive) : normalizeIdValue(parts.peerId, caseSensitive);
  if (fields.id === "") throw invalid(`peerId must be a non-empty id for a ${kind} key, got ${describeValue(parts.peerId)}`);
  if (kind !== "direct" && channel === "") throw invalid(`channel is required for a ${kind} key, got ${describeValue(parts.channel)}`);
  const account = typeof parts.accountId === "string" && parts.accountId.trim() !== "" ? normalizeAccountId(parts.accountId) : "";
  if (account !== "") {
    if (kind !== "direct") throw invalid(`accountId is only part of direct keys, got ${describeValue(parts.accountId)} on a ${kind} key`);
    if (channel === "") throw invalid(`channel is required with accountId (per-account-channel-peer), got ${describeValue(parts.channel)}`);
    assertNotStructural(account, "accountId");
    fields.accountId = account;
  }
  return composeSessionKey(fields);
}
