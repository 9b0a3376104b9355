/**
 * Where an inbound message came from, as replies need it: the channel, the chat type, and
 * the peer or group id in the channel's own spelling (case kept: `C1` stays `C1` although the
 * session key says `c1`; WhatsApp/Signal phone numbers in E.164). Pure; uses the same `from`
 * reading as `resolveSessionKey`.
 */
import { inferKindFromText, parseFrom } from "./from.js";
import { normalizeChannel } from "./normalize.js";
import { normalizeE164 } from "./phone.js";
import { readChatType } from "./resolve.js";
import type { KeyChatType, SessionKeyContext } from "./types.js";

export interface InboundAddress {
  /** Normalized channel name (`""` when none can be told). */
  channel: string;
  chatType: KeyChatType;
  /** The peer (direct) or group/channel id, trimmed, case kept; undefined when absent. */
  id: string | undefined;
  /** The thread or topic, as given or read from `from`. */
  threadId: string | undefined;
}

export function resolveInboundAddress(ctx: SessionKeyContext): InboundAddress {
  const given = normalizeChannel(ctx.channel);
  const from = parseFrom(ctx.from, given);
  const channel = given || from.channel;
  const chatType = readChatType(ctx.chatType) ?? from.kind ?? inferKindFromText(ctx.from) ?? "direct";
  const rawId = typeof ctx.peerId === "string" || typeof ctx.peerId === "number" ? String(ctx.peerId).trim() : "";
  let id = rawId || from.id.trim();
  if (id !== "" && chatType === "direct" && (channel === "whatsapp" || channel === "signal")) id = normalizeE164(id) ?? id;
  const thread = ctx.threadId === undefined || ctx.threadId === null ? from.threadId : String(ctx.threadId).trim();
  return { channel, chatType, id: id === "" ? undefined : id, threadId: thread === "" ? undefined : thread };
}
