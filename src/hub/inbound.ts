/**
 * Inbound messages before the pipeline: validation (a bad message leaves no trace), the
 * session key and reply route of a message, and merging a debounced batch into one turn.
 */
import { HubError, describeValue } from "../errors.js";
import { resolveInboundAddress, resolveSessionKey } from "../keys/index.js";
import { MAX_DATE_MS } from "../lifecycle/defaults.js";
import type { ResolveSessionKeyOptions, SessionKeyContext } from "../keys/index.js";
import type { TurnRoute } from "./turn.js";
import type { InboundMessage, SessionsQuery } from "./types.js";

export type Defined<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

/** The fields that are not undefined (for options typed with exactOptionalPropertyTypes). */
export function defined<T extends Record<string, unknown>>(fields: T): Defined<T> {
  const result: Record<string, unknown> = {};
  for (const key in fields) if (fields[key] !== undefined) result[key] = fields[key];
  return result as Defined<T>;
}

const STRING_FIELDS = ["channel", "from", "accountId", "senderId", "senderName", "groupSubject", "sessionKey"] as const;
const ID_FIELDS = ["peerId", "threadId", "messageId"] as const;

/** Checked before anything is claimed or written: a bad message must leave no trace. */
export function assertInbound(message: InboundMessage<string>): void {
  if (message === null || typeof message !== "object") {
    throw new HubError("E_INVALID_ARGUMENT", `message must be an object, got ${describeValue(message)}`);
  }
  const fail = (field: string, expected: string) => {
    const value = (message as unknown as Record<string, unknown>)[field];
    return new HubError("E_INVALID_ARGUMENT", `message.${field} must be ${expected}, got ${describeValue(value)}`);
  };
  if (typeof message.text !== "string") throw fail("text", "a string");
  if (typeof message.channel !== "string") throw fail("channel", "a string");
  for (const field of STRING_FIELDS) {
    if (message[field] !== undefined && typeof message[field] !== "string") throw fail(field, "a string");
  }
  for (const field of ID_FIELDS) {
    const value: unknown = message[field];
    if (value !== undefined && typeof value !== "string" && !(typeof value === "number" && Number.isFinite(value))) throw fail(field, "a string or a number");
  }
  if (message.isAuthorized !== undefined && typeof message.isAuthorized !== "boolean") throw fail("isAuthorized", "a boolean");
  const { timestamp } = message;
  if (timestamp !== undefined && !(typeof timestamp === "number" && Number.isFinite(timestamp) && timestamp >= 0 && timestamp <= MAX_DATE_MS)) {
    throw fail("timestamp", `epoch ms (a finite number from 0 to ${MAX_DATE_MS})`);
  }
}

export function assertQuery(query: SessionsQuery): void {
  if (query === null || typeof query !== "object") throw new HubError("E_INVALID_ARGUMENT", `query must be an object, got ${describeValue(query)}`);
  const { channel, chatType, activeWithinMinutes, limit } = query;
  if (channel !== undefined && typeof channel !== "string") throw new HubError("E_INVALID_ARGUMENT", `query.channel must be a string, got ${describeValue(channel)}`);
  if (chatType !== undefined && !["direct", "dm", "group", "channel"].includes(chatType)) {
    throw new HubError("E_INVALID_ARGUMENT", `query.chatType must be "direct" (or "dm"), "group" or "channel", got ${describeValue(chatType)}`);
  }
  if (activeWithinMinutes !== undefined && !(typeof activeWithinMinutes === "number" && Number.isFinite(activeWithinMinutes) && activeWithinMinutes > 0)) {
    throw new HubError("E_INVALID_ARGUMENT", `query.activeWithinMinutes must be a number > 0, got ${describeValue(activeWithinMinutes)}`);
  }
  if (limit !== undefined && !(typeof limit === "number" && Number.isSafeInteger(limit) && limit > 0)) {
    throw new HubError("E_INVALID_ARGUMENT", `query.limit must be a positive integer, got ${describeValue(limit)}`);
  }
}

/** The session key of a message and the route replies take. */
export function describeInbound(message: InboundMessage<string>, keyOptions: ResolveSessionKeyOptions): { sessionKey: string; route: TurnRoute } {
  const ctx = defined({
    channel: message.channel,
    chatType: message.chatType,
    peerId: message.peerId,
    from: message.from,
    accountId: message.accountId,
    threadId: message.threadId,
    sessionKey: message.sessionKey,
  }) as SessionKeyContext;
  const sessionKey = resolveSessionKey(ctx, keyOptions);
  const address = resolveInboundAddress(ctx);
  const route: TurnRoute = {
    channel: address.channel,
    chatType: address.chatType,
    to: address.id,
    accountId: message.accountId,
    threadId: address.threadId,
    from: message.from,
    senderId: message.senderId,
    senderName: message.senderName,
    groupSubject: message.groupSubject,
  };
  return { sessionKey, route };
}

/** One turn from a batch: the texts joined by newlines, everything else from the last message. */
export function mergeBatch<TChannel extends string>(batch: Array<InboundMessage<TChannel>>): InboundMessage<TChannel> {
  const last = batch[batch.length - 1] as InboundMessage<TChannel>;
  return batch.length === 1 ? last : { ...last, text: batch.map((m) => m.text).join("\n") };
}
