/**
 * Under `exactOptionalPropertyTypes`, every optional field of the public inputs takes an
 * explicit `undefined` (what `value?.field` or a spread of partial options produces), and
 * wrong values are still rejected. Compiled by test/types/types.test.ts.
 */
import type {
  AppendMessageInput,
  CliIo,
  FormatContextOptions,
  GatewayInput,
  Hub,
  HubDebouncerOptions,
  HubOptions,
  InboundMessage,
  MessageMeta,
  MessageQuery,
  PruneOptions,
  ReplyInput,
  ReplyUsage,
  SessionQuery,
  SessionsQuery,
  WatchOptions,
} from "../../src/index.js";

/** A value that may be undefined, as an optional chain yields. */
declare function maybe<T>(): T | undefined;

export const inbound: InboundMessage = {
  channel: "telegram",
  text: "hi",
  chatType: maybe(),
  peerId: maybe(),
  from: maybe(),
  accountId: maybe(),
  threadId: maybe(),
  messageId: maybe(),
  senderId: maybe(),
  senderName: maybe(),
  groupSubject: maybe(),
  isAuthorized: maybe(),
  timestamp: maybe(),
  sessionKey: maybe(),
};

export const usage: ReplyUsage = { input: 1, output: 2, total: maybe(), context: maybe() };
export const reply: ReplyInput = { text: maybe(), content: maybe(), replyToId: maybe(), threadId: maybe(), model: maybe(), provider: maybe(), usage: maybe() };
export const query: SessionsQuery = { channel: maybe(), chatType: maybe(), activeWithinMinutes: maybe(), limit: maybe() };
export const options: HubOptions = { backend: maybe(), stateDir: maybe(), config: maybe(), now: maybe(), metrics: maybe(), metricsPublishMs: maybe() };
export const debouncer: HubDebouncerOptions = { onFlush: () => undefined, debounceMs: maybe(), byChannel: maybe(), onError: maybe(), timers: maybe() };
export const gateway: GatewayInput = { gatewayId: "g", name: "G", type: "telegram", config: maybe() };
export const format: FormatContextOptions = { isGroup: maybe() };
export const meta: MessageMeta = { channel: maybe(), accountId: maybe(), senderId: maybe(), senderName: maybe(), gatewayMessageId: maybe(), threadId: maybe(), replyToId: maybe() };
export const append: AppendMessageInput = { role: "user", content: "x", timestamp: maybe(), meta: maybe() };
export const page: MessageQuery = { limit: maybe(), before: maybe(), after: maybe(), threadId: maybe() };
export const sessionQuery: SessionQuery = { channel: maybe(), chatType: maybe(), activeWithinMs: maybe(), now: maybe(), limit: maybe(), offset: maybe() };
export const prune: PruneOptions = { dryRun: maybe() };
export const watch: WatchOptions = { keys: maybe(), signal: maybe(), maxQueued: maybe() };
export const io: CliIo = { stdout: () => undefined, stderr: () => undefined, env: maybe(), now: maybe(), progress: maybe(), signal: maybe(), terminal: maybe() };

export async function calls(hub: Hub): Promise<void> {
  await hub.listGateways({ activeOnly: maybe() });
  await hub.history("k", { limit: maybe() });
  hub.formatContext([], { isGroup: maybe() });
}

// Wrong values are still rejected.
// @ts-expect-error: text must be a string
export const badText: InboundMessage = { channel: "telegram", text: 5 };
// @ts-expect-error: not a chat type
export const badChatType: InboundMessage = { channel: "telegram", text: "x", chatType: "private" };
// @ts-expect-error: usage needs input and output
export const badUsage: ReplyUsage = { input: 1 };
// @ts-expect-error: limit is a number
export const badLimit: SessionsQuery = { limit: "10" };
// @ts-expect-error: null is not undefined
export const nullStateDir: HubOptions = { stateDir: null };
