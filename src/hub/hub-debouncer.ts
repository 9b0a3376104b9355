/**
 * `hub.createDebouncer`: the inbound debouncer (`debounce.ts`) bound to the hub's config and
 * keys. Messages of one sender in one conversation are batched; media and commands (`/send`,
 * reset triggers) flush at once.
 */
import type { HubConfig } from "../config/schema.js";
import { parseSendCommand } from "../lifecycle/send-policy.js";
import { matchResetTrigger } from "../lifecycle/triggers.js";
import { createDebouncer } from "./debounce.js";
import { defined, mergeBatch, type describeInbound } from "./inbound.js";
import type { HubDebouncer, HubDebouncerOptions, InboundMessage } from "./types.js";

interface DebounceEntry<TChannel extends string> {
  batchKey: string;
  channel: string;
  text: string;
  immediate: boolean;
  message: InboundMessage<TChannel>;
}

export function createHubDebouncer<TChannel extends string>(
  options: HubDebouncerOptions<TChannel>,
  config: HubConfig,
  describe: (message: InboundMessage<TChannel>) => ReturnType<typeof describeInbound>,
): HubDebouncer<TChannel> {
  const inbound = config.messages?.inbound;
  const debouncer = createDebouncer<DebounceEntry<TChannel>>(
    defined({
      debounceMs: options.debounceMs ?? inbound?.debounceMs,
      byChannel: options.byChannel ?? inbound?.byChannel,
      timers: options.timers,
      onFlush: (items: Array<DebounceEntry<TChannel>>) => {
        const batch = items.map((item) => item.message);
        return options.onFlush(mergeBatch(batch), batch);
      },
      onError: options.onError ? (error: unknown, items: Array<DebounceEntry<TChannel>>) => options.onError?.(error, items.map((i) => i.message)) : undefined,
    }) as Parameters<typeof createDebouncer<DebounceEntry<TChannel>>>[0],
  );
  return {
    // Async, so that invalid input rejects rather than throws.
    push: async (message) => {
      const { media, ...rest } = message;
      const inboundMessage = rest as InboundMessage<TChannel>;
      const described = describe(inboundMessage);
      const triggers = config.session?.resetTriggers;
      const isCommand = parseSendCommand(message.text) !== null || matchResetTrigger(message.text, defined({ triggers, isGroup: described.route.chatType !== "direct" })) !== null;
      return debouncer.push({
        batchKey: `${described.sessionKey}\u0000${message.senderId ?? described.route.to ?? ""}`,
        channel: described.route.channel,
        text: message.text,
        immediate: media === true || isCommand,
        message: inboundMessage,
      });
    },
    flushAll: () => debouncer.flushAll(),
    get pending() {
      return debouncer.pending;
    },
  };
}
