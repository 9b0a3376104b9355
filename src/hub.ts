/**
 * `createHub`: the gateway's single entry point. `receive` runs one pipeline per inbound
 * message: de-duplicate → resolve the key → migrate a legacy key → trigger or freshness →
 * reset → route metadata (activity clock untouched) → append the user's message (which moves
 * the clock) (`hub/receive.ts`). `reply` applies the send policy and appends the assistant's
 * message (`hub/reply.ts`). The public types are in `hub/types.ts`; validation and key/route
 * resolution in `hub/inbound.ts`.
 */
import { resolveConfig } from "./config/load.js";
import type { HubConfig } from "./config/schema.js";
import { HubError, describeValue } from "./errors.js";
import { formatContext, type ContextMessage, type FormatContextOptions } from "./hub/context.js";
import { createDebouncer } from "./hub/debounce.js";
import { assertInbound, assertQuery, defined, describeInbound, mergeBatch } from "./hub/inbound.js";
import { receiveMessage, type ReceiveContext } from "./hub/receive.js";
import { sendReply, TurnMemory } from "./hub/reply.js";
import type { Hub, HubDebouncer, HubDebouncerOptions, HubOptions, InboundMessage, ReceiveResult, ReplyInput, ReplyResult, SessionsQuery } from "./hub/types.js";
import { normalizeChannel, parseSessionKey } from "./keys/index.js";
import { deleteSessions } from "./lifecycle/delete-sessions.js";
import { parseDuration } from "./lifecycle/duration.js";
import { pruneSessions, type PruneOptions, type PruneReport } from "./lifecycle/maintenance.js";
import { parseSendCommand } from "./lifecycle/send-policy.js";
import { matchResetTrigger } from "./lifecycle/triggers.js";
import type { SessionEntry } from "./store/entry.js";
import { openGatewayRegistry, type GatewayInput } from "./store/gateways.js";
import { resolveStateDir } from "./store/paths.js";
import { openSessionStore, type SessionStore, type StoreWarning } from "./store/session-store.js";
import { messageText, type StoredMessage } from "./store/transcript-format.js";
import { readMessages, type ReadMessagesOptions, type ReadMessagesResult } from "./store/transcript-read.js";

export type * from "./hub/types.js";

class GatewayHub<TChannel extends string, TGatewayConfig> implements Hub<TChannel, TGatewayConfig> {
  private readonly gateways;
  /** What the receive pipeline (`hub/receive.ts`) needs. */
  private readonly receiving: ReceiveContext;
  /** Per session key, the end of the chain of calls in flight (see `inOrder`). */
  private readonly chains = new Map<string, Promise<void>>();
  /** The route of each recent turn, for a reply whose session was deleted meanwhile. */
  private readonly turns = new TurnMemory();

  constructor(
    readonly store: SessionStore,
    readonly config: HubConfig,
    stateDir: string,
    private readonly now: () => number,
    models: string[],
    private readonly warn: (warning: StoreWarning) => void,
  ) {
    this.gateways = openGatewayRegistry<TGatewayConfig>(stateDir, now, store.durable);
    const ttl = config.messages?.dedupe?.ttl;
    const dedupeTtlMs = ttl === undefined ? undefined : parseDuration(ttl, "messages.dedupe.ttl");
    this.receiving = { store, sessionConfig: this.sessionConfig, models, dedupeTtlMs, turns: this.turns, warn };
  }

  private get sessionConfig() {
    return this.config.session ?? {};
  }

  private keyOptions() {
    const s = this.sessionConfig;
    return defined({
      agentId: this.store.agentId,
      mainKey: s.mainKey,
      dmScope: s.dmScope,
      identityLinks: s.identityLinks,
      scope: s.scope,
      caseSensitiveChannels: s.caseSensitiveChannels,
    });
  }

  /**
   * Runs `fn` once every earlier call for `sessionKey` on this hub has settled: one
   * conversation is one ordered stream (messages reach the transcript in the order
   * `receive`/`reply` were called, and a `/new` cannot overtake the message before it).
   * Different conversations still run concurrently and share coalesced store writes.
   */
  private inOrder<T>(sessionKey: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(sessionKey) ?? Promise.resolve();
    const run = previous.then(fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(sessionKey, tail);
    void tail.then(() => {
      if (this.chains.get(sessionKey) === tail) this.chains.delete(sessionKey);
    });
    return run;
  }

  async receive(message: InboundMessage<TChannel>): Promise<ReceiveResult> {
    assertInbound(message);
    const now = this.now();
    const inbound = describeInbound(message, this.keyOptions());
    return this.inOrder(inbound.sessionKey, () => receiveMessage(this.receiving, message, inbound, now));
  }

  async reply(sessionKey: string, reply: ReplyInput): Promise<ReplyResult> {
    const content = reply?.content ?? reply?.text;
    if (typeof content !== "string" && !Array.isArray(content)) {
      throw new HubError("E_INVALID_ARGUMENT", `reply needs text (a string) or content (a string or blocks), got ${describeValue(content)}`);
    }
    const timestamp = this.now();
    return this.inOrder(sessionKey, () => sendReply(this.store, this.config, this.turns, sessionKey, { ...reply, content }, { timestamp, onWarning: this.warn }));
  }

  history(sessionKey: string, options: ReadMessagesOptions = {}): Promise<ReadMessagesResult> {
    return readMessages(this.store, sessionKey, options);
  }

  async latest(sessionKey: string, limit = 20): Promise<StoredMessage[]> {
    return (await readMessages(this.store, sessionKey, { limit })).messages;
  }

  async thread(sessionKey: string, threadId: string | number): Promise<StoredMessage[]> {
    return this.collect(sessionKey, { threadId: String(threadId) }, () => false);
  }

  /** Pages backwards (newest first) until `stop` says so; returns oldest first. */
  private async collect(sessionKey: string, options: ReadMessagesOptions, stop: (m: StoredMessage) => boolean): Promise<StoredMessage[]> {
    const collected: StoredMessage[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await readMessages(this.store, sessionKey, { ...options, limit: 200, ...(before === undefined ? {} : { before }) });
      for (let i = page.messages.length - 1; i >= 0; i--) {
        const message = page.messages[i] as StoredMessage;
        if (stop(message)) return collected.reverse();
        collected.push(message);
      }
      if (page.before === undefined || page.messages.length === 0) return collected.reverse();
      before = page.before;
    }
  }

  contextSince(sessionKey: string): Promise<StoredMessage[]> {
    return this.collect(sessionKey, {}, (message) => message.role === "assistant");
  }

  formatContext(messages: readonly StoredMessage[], options: FormatContextOptions = {}): string {
    const lines: ContextMessage[] = messages.map((m) => ({ text: messageText(m), senderName: m.meta?.senderName, senderId: m.meta?.senderId }));
    return formatContext(lines, options);
  }

  async sessions(query: SessionsQuery = {}): Promise<Array<{ key: string; entry: SessionEntry }>> {
    assertQuery(query);
    const now = this.now();
    const channel = query.channel === undefined ? undefined : normalizeChannel(query.channel);
    const matches = (await this.store.list()).filter(({ key, entry }) => {
      const parsed = parseSessionKey(key);
      if (channel !== undefined && (entry.channel ?? parsed?.channel) !== channel) return false;
      if (query.chatType !== undefined && (entry.chatType ?? parsed?.chatType) !== query.chatType) return false;
      return query.activeWithinMinutes === undefined || now - entry.updatedAt <= query.activeWithinMinutes * 60_000;
    });
    return query.limit === undefined ? matches : matches.slice(0, query.limit);
  }

  session(sessionKey: string): Promise<SessionEntry | undefined> {
    return this.store.get(sessionKey);
  }

  async endSession(sessionKey: string): Promise<boolean> {
    const endedAt = this.now();
    return this.inOrder(sessionKey, async () => (await this.store.update(sessionKey, (current) => (current ? { endedAt } : null))) !== undefined);
  }

  async deleteSession(sessionKey: string): Promise<boolean> {
    return this.inOrder(sessionKey, async () => (await deleteSessions(this.store, [sessionKey])).length > 0);
  }

  registerGateway(input: GatewayInput<TGatewayConfig>) {
    return this.gateways.register(input);
  }

  removeGateway(gatewayId: string) {
    return this.gateways.remove(gatewayId);
  }

  listGateways(options: { activeOnly?: boolean } = {}) {
    return this.gateways.list(options);
  }

  createDebouncer(options: HubDebouncerOptions<TChannel>): HubDebouncer<TChannel> {
    const inbound = this.config.messages?.inbound;
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
        const described = describeInbound(inboundMessage, this.keyOptions());
        const isCommand = parseSendCommand(message.text) !== null || matchResetTrigger(message.text, defined({ triggers: this.sessionConfig.resetTriggers, isGroup: described.route.chatType !== "direct" })) !== null;
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

  prune(options: PruneOptions = {}): Promise<PruneReport> {
    const maintenance = this.sessionConfig.maintenance ?? {};
    return pruneSessions(this.store, { ...defined({ ...maintenance, mainKey: this.sessionConfig.mainKey, now: this.now() }), ...options });
  }

  /** Waits for the calls in flight, then closes the store. */
  async close(): Promise<void> {
    await Promise.all(this.chains.values());
    await this.store.close();
  }
}

interface DebounceEntry<TChannel extends string> {
  batchKey: string;
  channel: string;
  text: string;
  immediate: boolean;
  message: InboundMessage<TChannel>;
}

/**
 * Opens a hub: loads and validates the configuration, opens the agent's store (the config's
 * `session.store` template, else `<stateDir>/agents/<agentId>/sessions/sessions.json`).
 */
export async function createHub<TChannel extends string = string, TGatewayConfig = Record<string, unknown>>(
  options: HubOptions = {},
): Promise<Hub<TChannel, TGatewayConfig>> {
  const stateDir = resolveStateDir(options.stateDir);
  const warn = options.onWarning ?? ((w: StoreWarning) => process.emitWarning(w.message, { code: w.code }));
  const config = await resolveConfig(options.config, stateDir, warn);
  const now = options.now ?? Date.now;
  const store = openSessionStore(
    defined({
      stateDir,
      agentId: options.agentId,
      path: config.session?.store,
      durable: options.durable,
      onWarning: options.onWarning,
      now,
    }),
  );
  return new GatewayHub<TChannel, TGatewayConfig>(store, config, stateDir, now, options.models ?? [], warn);
}
