/**
 * What makes two deliveries the same inbound message, on every backend: the identity a gateway
 * gives (`InboundIdentity`), validated and normalized (`normalizeIdentity`), and how long a
 * claim on it lasts.
 */
import { HubError, describeValue } from "../../errors.js";
import { normalizeAccountId, normalizeChannel } from "../../keys/normalize.js";

/** How long a claim makes repeats duplicates by default: 24 h. */
export const DEFAULT_DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * A claim older than this whose message is not at its destination is taken over even if its
 * owner may still run (on another host, in another pid namespace, or stalled): 2 minutes.
 */
export const DEDUPE_PENDING_MS = 2 * 60 * 1000;

/** What identifies one inbound message. */
export interface InboundIdentity {
  /** The channel (`telegram`, `whatsapp`...; normalized like session keys). Required. */
  channel: string;
  /** The channel account; normalized, default `"default"`. */
  accountId?: string | undefined;
  /** The chat or sender the message came from. Default: none. */
  peerId?: string | number | undefined;
  /** The channel's id of the message. Required. */
  messageId: string | number;
}

/** A message's identity, validated and normalized: what makes two deliveries the same message (every backend). */
export interface NormalizedIdentity {
  channel: string;
  accountId: string;
  /** Trimmed; "" when there is none. */
  peerId: string;
  messageId: string;
}

export function normalizeIdentity(message: InboundIdentity): NormalizedIdentity {
  if (message === null || typeof message !== "object") throw new HubError("E_INVALID_ARGUMENT", `message must be an object, got ${describeValue(message)}`);
  const channel = normalizeChannel(message.channel);
  if (channel === "") throw new HubError("E_INVALID_ARGUMENT", `channel must be a non-empty string, got ${describeValue(message.channel)}`);
  const { messageId, peerId } = message;
  if (!(typeof messageId === "string" && messageId !== "") && !(typeof messageId === "number" && Number.isFinite(messageId))) {
    throw new HubError("E_INVALID_ARGUMENT", `messageId must be a non-empty string or a number, got ${describeValue(messageId)}`);
  }
  if (peerId !== undefined && typeof peerId !== "string" && typeof peerId !== "number") {
    throw new HubError("E_INVALID_ARGUMENT", `peerId must be a string or a number, got ${describeValue(peerId)}`);
  }
  return { channel, accountId: normalizeAccountId(message.accountId), peerId: peerId === undefined ? "" : String(peerId).trim(), messageId: String(messageId) };
}

/** What pruning expired claims did. */
export interface PruneResult {
  /** Expired records removed. */
  removed: number;
  /** Live records left. */
  kept: number;
}
