/**
 * `createHub`: the gateway's single entry point, above the backend seam (it talks only to a
 * `Backend`: the file backend by default, see `hub/backend.ts`). `receive` runs one pipeline
 * per inbound message: resolve the key → migrate a legacy key → one backend turn
 * (de-duplicate, trigger or freshness, reset, route metadata, append) (`hub/receive.ts`).
 * `reply` applies the send policy and appends the assistant's message (`hub/reply.ts`). The
 * public types are in `hub/types.ts`; validation and key/route resolution in `hub/inbound.ts`.
 */
import { isLiveBackend, type Backend, type Change, type MessagePage, type MessageQuery, type WatchOptions } from "./backend/types.js";
import { resolveConfig } from "./config/load.js";
import type { HubConfig } from "./config/schema.js";
import { HubError, describeValue } from "./errors.js";
import { formatContext, type ContextMessage, type FormatContextOptions } from "./hub/context.js";
import { hubBackend, storeOf } from "./hub/backend.js";
import { createHubDebouncer } from "./hub/hub-debouncer.js";
import { assertInbound, assertQuery, defined, describeInbound } from "./hub/inbound.js";
import { readContextSince, readThread } from "./hub/reading.js";
import { receiveMessage, type ReceiveContext } from "./hub/receive.js";
import { sendReply, TurnMemory } from "./hub/reply.js";
import { assertRunInfo } from "./hub/usage.js";
import type { Hub, HubDebouncer, HubDebouncerOptions, HubOptions, InboundMessage, MetricsFormat, ReceiveResult, ReplyInput, ReplyResult, SessionsQuery } from "./hub/types.js";
import { HubMetrics } from "./hub/hub-metrics.js";
import { createMetrics, type MetricsObserver, type MetricsSnapshot } from "./metrics/metrics.js";
import { assertHandler, createRunner, type RunHandler, type RunResult } from "./run/index.js";
import { parseDuration } from "./lifecycle/duration.js";
import type { PruneOptions, PruneReport } from "./lifecycle/maintenance.js";
import type { SessionEntry } from "./backend/shared/entry.js";
import type { GatewayInput } from "./backend/file/gateways/gateways.js";
import { resolveStateDir } from "./backend/file/store/paths.js";
import type { SessionStore, StoreWarning } from "./backend/file/store/session-store.js";
import { messageText, type StoredMessage } from "./backend/shared/transcript-format.js";

export type * from "./hub/types.js";

class GatewayHub<TChannel extends string, TGatewayConfig> implements Hub<TChannel, TGatewayConfig> {
  /** What the receive pipeline (`hub/receive.ts`) needs. */
  private readonly receiving: ReceiveContext;
  /** Per session key, the end of the chain of calls in flight (see `inOrder`). */
  private readonly chains = new Map<string, Promise<void>>();
  /** The route of each recent turn, for a reply whose session was deleted meanwhile. */
  private readonly turns = new TurnMemory();
  /** The conversations' agent turns (`run`, src/run/). */
  private readonly runner = createRunner(this);

  constructor(
    readonly backend: Backend,
    /** Whether the hub opened the backend (and so closes it). */
    private readonly owned: boolean,
    readonly config: HubConfig,
    private readonly now: () => number,
    models: string[],
    private readonly counting: HubMetrics,
  ) {
    const ttl = config.messages?.dedupe?.ttl;
    const dedupeTtlMs = ttl === undefined ? undefined : parseDuration(ttl, "messages.dedupe.ttl");
    this.receiving = { backend, sessionConfig: this.sessionConfig, models, dedupeTtlMs, turns: this.turns };
  }

  /** The file backend's store (file-only tools); `E_INVALID_ARGUMENT` on other backends. */
  get store(): SessionStore {
    return storeOf(this.backend);
  }

  private get sessionConfig() {
    return this.config.session ?? {};
  }

  private keyOptions() {
    const s = this.sessionConfig;
    return defined({
      agentId: this.backend.agentId,
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
    this.counting.metrics.count("messagesReceived");
    return this.inOrder(inbound.sessionKey, async () => this.counting.received(await receiveMessage(this.receiving, message, inbound, now)));
  }

  /** One agent turn per conversation at a time, across processes, with the queue policy (src/run/). */
  async run(message: InboundMessage<TChannel>, handler: RunHandler): Promise<RunResult> {
    assertInbound(message);
    assertHandler(handler);
    const inbound = describeInbound(message, this.keyOptions());
    return this.runner.run(inbound.sessionKey, inbound.route.channel, message, handler);
  }

  async reply(sessionKey: string, reply: ReplyInput): Promise<ReplyResult> {
    const content = reply?.content ?? reply?.text;
    if (typeof content !== "string" && !Array.isArray(content)) {
      throw new HubError("E_INVALID_ARGUMENT", `reply needs text (a string) or content (a string or blocks), got ${describeValue(content)}`);
    }
    assertRunInfo(reply);
    const timestamp = this.now();
    return this.inOrder(sessionKey, async () => this.counting.replied(await sendReply(this.backend, this.config, this.turns, sessionKey, { ...reply, content }, { timestamp })));
  }

  history(sessionKey: string, options: MessageQuery = {}): Promise<MessagePage> {
    return this.backend.read(sessionKey, options);
  }

  async latest(sessionKey: string, limit = 20): Promise<StoredMessage[]> {
    return (await this.backend.read(sessionKey, { limit })).messages;
  }

  thread(sessionKey: string, threadId: string | number): Promise<StoredMessage[]> {
    return readThread(this.backend, sessionKey, threadId);
  }

  contextSince(sessionKey: string): Promise<StoredMessage[]> {
    return readContextSince(this.backend, sessionKey);
  }

  formatContext(messages: readonly StoredMessage[], options: FormatContextOptions = {}): string {
    const lines: ContextMessage[] = messages.map((m) => ({ text: messageText(m), senderName: m.meta?.senderName, senderId: m.meta?.senderId }));
    return formatContext(lines, options);
  }

  async sessions(query: SessionsQuery = {}): Promise<Array<{ key: string; entry: SessionEntry }>> {
    assertQuery(query);
    const { channel, activeWithinMinutes, limit } = query;
    const chatType = query.chatType === "dm" ? "direct" : query.chatType;
    const activeWithinMs = activeWithinMinutes === undefined ? undefined : activeWithinMinutes * 60_000;
    return (await this.backend.list(defined({ channel, chatType, activeWithinMs, limit, now: this.now() }))).sessions;
  }

  session(sessionKey: string): Promise<SessionEntry | undefined> {
    return this.backend.get(sessionKey);
  }

  async endSession(sessionKey: string): Promise<boolean> {
    const endedAt = this.now();
    return this.inOrder(sessionKey, () =>
      this.backend.update(sessionKey, (draft) => {
        if (draft.get(sessionKey) === undefined) return false;
        draft.patch(sessionKey, { endedAt });
        return true;
      }),
    );
  }

  async deleteSession(sessionKey: string): Promise<boolean> {
    return this.inOrder(sessionKey, async () => (await this.backend.delete([sessionKey])).length > 0);
  }

  async registerGateway(input: GatewayInput<TGatewayConfig>) {
    const record = await this.backend.registerGateway<TGatewayConfig>(input);
    await this.counting.gatewayRegistered(record.gatewayId);
    return record;
  }

  removeGateway(gatewayId: string) {
    return this.backend.removeGateway(gatewayId);
  }

  listGateways(options: { activeOnly?: boolean } = {}) {
    return this.backend.listGateways<TGatewayConfig>(options);
  }

  createDebouncer(options: HubDebouncerOptions<TChannel>): HubDebouncer<TChannel> {
    return createHubDebouncer(options, this.config, (message) => describeInbound(message, this.keyOptions()));
  }

  /** The backend's change feed (see `LiveBackend.watch`); `E_INVALID_ARGUMENT` on a backend without one. */
  watch(options: WatchOptions = {}): AsyncIterable<Change> {
    if (!isLiveBackend(this.backend)) throw new HubError("E_INVALID_ARGUMENT", `the ${this.backend.kind} backend has no change feed`);
    return this.backend.watch(options);
  }

  prune(options: PruneOptions = {}): Promise<PruneReport> {
    const maintenance = this.sessionConfig.maintenance ?? {};
    return this.backend.prune({ ...defined({ ...maintenance, mainKey: this.sessionConfig.mainKey, now: this.now() }), ...options });
  }

  metrics(options?: { format?: "json" | undefined }): MetricsSnapshot;
  metrics(options: { format: "prometheus" }): string;
  metrics(options?: { format?: MetricsFormat | undefined }): MetricsSnapshot | string;
  metrics(options: { format?: MetricsFormat | undefined } = {}): MetricsSnapshot | string {
    return this.counting.render(options);
  }

  get record(): MetricsObserver {
    return this.counting.metrics;
  }

  /** Waits for the calls in flight, publishes the last metrics snapshot, then closes the backend if the hub opened it (a backend given to `createHub` stays open). */
  async close(): Promise<void> {
    await this.runner.drain();
    await Promise.all(this.chains.values());
    await this.counting.close();
    if (this.owned) await this.backend.close();
  }
}

/**
 * Opens a hub: loads and validates the configuration and uses `options.backend`, or opens the
 * file backend of the agent (the config's `session.store` template, else
 * `<stateDir>/agents/<agentId>/sessions/sessions.json`), which the hub then closes.
 */
export async function createHub<TChannel extends string = string, TGatewayConfig = Record<string, unknown>>(
  options: HubOptions = {},
): Promise<Hub<TChannel, TGatewayConfig>> {
  const stateDir = resolveStateDir(options.stateDir);
  const warn = options.onWarning ?? ((w: StoreWarning) => process.emitWarning(w.message, { code: w.code }));
  // A widened literal (HubConfigInput) is checked here, like a file.
  const config = await resolveConfig(options.config as HubConfig | string | undefined, stateDir, warn);
  const now = options.now ?? options.backend?.now ?? Date.now;
  const metrics = options.metrics ?? createMetrics({ now });
  const { backend, owned } = hubBackend(options, stateDir, config, now, metrics);
  const counting = new HubMetrics({ metrics, publishMs: options.metricsPublishMs, now, backend, warn });
  return new GatewayHub<TChannel, TGatewayConfig>(backend, owned, config, now, options.models ?? [], counting);
}
