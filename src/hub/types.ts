/**
 * The public types of the gateway façade (`createHub`): options, inbound messages, results,
 * and the `Hub` interface itself.
 */
import type { Backend, Change, MessagePage, MessageQuery, WatchOptions } from "../backend/types.js";
import type { HubConfig } from "../config/schema.js";
import type { HubConfigInput } from "../config/define.js";
import type { PruneOptions, PruneReport } from "../lifecycle/maintenance.js";
import type { ResetReason } from "../lifecycle/types.js";
import type { SessionEntry } from "../backend/shared/entry.js";
import type { GatewayInput, GatewayRecord } from "../backend/file/gateways/gateways.js";
import type { SessionStore, StoreWarning } from "../backend/file/store/session-store.js";
import type { MessageContent, StoredMessage } from "../backend/shared/transcript-format.js";
import type { FormatContextOptions } from "./context.js";
import type { Timers } from "./debounce.js";
import type { Metrics, MetricsObserver, MetricsSnapshot } from "../metrics/metrics.js";
import type { RunHandler, RunResult } from "../run/types.js";

export interface HubOptions {
  /**
   * The backend the hub keeps everything in (sessions, transcripts, claims, gateways). The
   * hub uses it as it is and does not close it: its owner does, after `hub.close()`. Then
   * `durable`, `onWarning` and the config's `session.store` are the backend's business, and
   * `now` defaults to the backend's clock. Default: the file backend
   * (`openFileBackend`) of `stateDir`/`agentId`, opened and closed by the hub.
   */
  backend?: Backend | undefined;
  /** Default: env `HUB_STATE_DIR`, else `~/.hub` (the config file's place, and the file backend's). */
  stateDir?: string | undefined;
  /** Default `"main"` (with `backend`: the backend's agent; another one is `E_INVALID_ARGUMENT`). */
  agentId?: string | undefined;
  /**
   * A config object (a `defineConfig(...)` or any plain object literal: validated when the hub
   * opens), or the path of a JSON5 file. Default: `<stateDir>/hub.json5` if present.
   */
  config?: HubConfig | HubConfigInput | string | undefined;
  /** The clock (epoch ms). Default `Date.now`. */
  now?: (() => number) | undefined;
  /** Models `/new <model>` may select (ids, aliases, `provider/model`). Default none. */
  models?: string[] | undefined;
  /** fsync writes (store and transcripts). Default true. */
  durable?: boolean | undefined;
  /**
   * File backend: the longest an activity-clock move lives only in the clock journal before
   * it is folded into sessions.json (ms). Default 30 000; 0 writes sessions.json per message.
   */
  activityFlushMs?: number | undefined;
  /**
   * File backend: whether a transcript append alone in the process may wait for its fdatasync
   * on the event loop, as a SQLite commit does (never after a slow sync). Default true; false
   * always waits in the thread pool.
   */
  syncOnLoop?: boolean | undefined;
  /** Store warnings (recovered corruption...). Default `process.emitWarning`. */
  onWarning?: ((warning: StoreWarning) => void) | undefined;
  /**
   * The metrics the hub counts into (`hub.metrics()`). Pass the same object to a backend you
   * open yourself (`openFileBackend({ observer: metrics })`) to get its write and lock
   * latencies too. Default: a new `createMetrics()`, given to the file backend the hub opens.
   */
  metrics?: Metrics | undefined;
  /**
   * Once a gateway is registered, how often its metrics snapshot is published for `hub status`
   * (ms; only when something was counted since the last one, and once more on `close`).
   * Default 10 000.
   */
  metricsPublishMs?: number | undefined;
}

/** `hub.metrics({ format })`: a `MetricsSnapshot` object (`json`, default) or Prometheus text. */
export type MetricsFormat = "json" | "prometheus";

/** An inbound message as the gateway sees it. */
export interface InboundMessage<TChannel extends string = string> {
  channel: TChannel;
  chatType?: "direct" | "dm" | "group" | "channel" | "room" | undefined;
  peerId?: string | undefined;
  from?: string | undefined;
  accountId?: string | undefined;
  threadId?: string | number | undefined;
  /** The channel's message id: enables de-duplication of redeliveries. */
  messageId?: string | undefined;
  text: string;
  senderId?: string | undefined;
  senderName?: string | undefined;
  groupSubject?: string | undefined;
  /** `false`: the sender may not reset the session (the trigger is kept as plain text). Default true. */
  isAuthorized?: boolean | undefined;
  /** Epoch ms of the message. Default: the hub's clock. */
  timestamp?: number | undefined;
  /**
   * An explicit session key (canonicalized), for sources that are not chats: `cron:<jobId>`
   * (an isolated cron run: every message starts a fresh session), `hook:<id>`, or a key taken
   * from `hub sessions`. Routing fields still describe where replies go.
   */
  sessionKey?: string | undefined;
}

export type ReceiveResult =
  | { duplicate: true }
  | {
      duplicate: false;
      sessionKey: string;
      sessionId: string;
      entry: SessionEntry;
      isNewSession: boolean;
      resetReason?: ResetReason;
      /** The text for the agent: the message, or what followed a reset trigger. */
      body: string;
      /** The model chosen with `/new <model>`. */
      model?: string;
      /** Set when the message was a `/send` command. */
      sendPolicy?: "allow" | "deny" | "inherit";
      message: StoredMessage;
    };

export interface ReplyInput {
  text?: string | undefined;
  content?: MessageContent | undefined;
  replyToId?: string | undefined;
  threadId?: string | number | undefined;
  /** The model that wrote the reply (`gpt-5`): the entry's `model`, the line's `model`. */
  model?: string | undefined;
  /** Its provider (`openai`): the entry's `modelProvider`, the line's `provider`. */
  provider?: string | undefined;
  /** The run's tokens: the entry's `inputTokens`/`outputTokens`/`totalTokens`/`contextTokens`, the line's `usage`. */
  usage?: ReplyUsage | undefined;
}

/** Token counts of one agent run (whole numbers >= 0). */
export interface ReplyUsage {
  input: number;
  output: number;
  /** Default `input + output`. */
  total?: number | undefined;
  /** The model's context window. */
  context?: number | undefined;
}

/** What `reply` did: `sent` false means the send policy suppressed it (recorded, not delivered). */
export interface ReplyResult {
  sent: boolean;
  message: StoredMessage;
  /**
   * Set when the session had been deleted (by an operator) after this hub's last message in
   * it: the reply went to a new session (fresh sessionId) with the same route.
   */
  sessionRecreated?: true;
}

export interface SessionsQuery {
  channel?: string | undefined;
  /** `"dm"` is `"direct"` (as in `receive`). */
  chatType?: "direct" | "dm" | "group" | "channel" | undefined;
  activeWithinMinutes?: number | undefined;
  limit?: number | undefined;
}

export interface Hub<TChannel extends string = string, TGatewayConfig = Record<string, unknown>> {
  /** The backend every call goes through. */
  readonly backend: Backend;
  /**
   * The file backend's `sessions.json` store, for file-only tools (doctor, direct edits).
   * Reading it on another backend throws `E_INVALID_ARGUMENT`: use `backend`.
   */
  readonly store: SessionStore;
  readonly config: HubConfig;
  receive(message: InboundMessage<TChannel>): Promise<ReceiveResult>;
  reply(sessionKey: string, reply: ReplyInput): Promise<ReplyResult>;
  /**
   * Runs `handler` as the agent turn for `message`, at most one turn per conversation at a
   * time across every process on the backend. A message arriving during a turn waits under
   * the queue policy (`messages.queue`: `followup`, `collect`, `interrupt`, `cap`, `drop`).
   * The message is received (claimed, de-duplicated, appended) when its turn starts.
   * Resolves with what became of it (`done`, `duplicate`, `interrupted`, `dropped`); rejects
   * with the handler's error when its turn threw (the conversation is released first).
   */
  run(message: InboundMessage<TChannel>, handler: RunHandler): Promise<RunResult>;
  history(sessionKey: string, options?: MessageQuery): Promise<MessagePage>;
  latest(sessionKey: string, limit?: number): Promise<StoredMessage[]>;
  thread(sessionKey: string, threadId: string | number): Promise<StoredMessage[]>;
  sessions(query?: SessionsQuery): Promise<Array<{ key: string; entry: SessionEntry }>>;
  session(sessionKey: string): Promise<SessionEntry | undefined>;
  endSession(sessionKey: string): Promise<boolean>;
  deleteSession(sessionKey: string): Promise<boolean>;
  registerGateway(input: GatewayInput<TGatewayConfig>): Promise<GatewayRecord<TGatewayConfig>>;
  removeGateway(gatewayId: string): Promise<boolean>;
  listGateways(options?: { activeOnly?: boolean | undefined }): Promise<Array<GatewayRecord<TGatewayConfig>>>;
  createDebouncer(options: HubDebouncerOptions<TChannel>): HubDebouncer<TChannel>;
  contextSince(sessionKey: string): Promise<StoredMessage[]>;
  formatContext(messages: readonly StoredMessage[], options?: FormatContextOptions): string;
  prune(options?: PruneOptions): Promise<PruneReport>;
  /**
   * Changes made by any process, as they happen: `{ type: "session", key, entry | null }`,
   * `{ type: "message", key, sessionId, message }`, `{ type: "resync" }` (re-read). Ends on
   * `break`, on `signal`, or when the backend closes. `E_INVALID_ARGUMENT` on a backend
   * without a change feed.
   */
  watch(options?: WatchOptions): AsyncIterable<Change>;
  /**
   * Counters and latency percentiles since the hub opened (see the README's Metrics section):
   * a `MetricsSnapshot`, or with `{ format: "prometheus" }` the Prometheus text format.
   */
  metrics(options?: { format?: "json" | undefined }): MetricsSnapshot;
  metrics(options: { format: "prometheus" }): string;
  metrics(options?: { format?: MetricsFormat | undefined }): MetricsSnapshot | string;
  /** Where gateway code (and the run API) count their own events and durations into `hub.metrics()`. */
  readonly record: MetricsObserver;
  close(): Promise<void>;
}

export interface HubDebouncerOptions<TChannel extends string = string> {
  /** Quiet period (ms). Default: `messages.inbound.debounceMs` from the config, else 0 (no batching). */
  debounceMs?: number | undefined;
  /** Per-channel quiet periods. Default: `messages.inbound.byChannel` from the config. */
  byChannel?: Record<string, number> | undefined;
  /**
   * Receives one turn: `message` is the batch merged (texts joined with a newline, routing and
   * `messageId` of the last one) — pass it to `hub.receive` — and `batch` the originals.
   */
  onFlush: (message: InboundMessage<TChannel>, batch: Array<InboundMessage<TChannel>>) => void | Promise<void>;
  /** Told when `onFlush` fails. Default: the failure is rethrown from `push`/the timer. */
  onError?: ((error: unknown, batch: Array<InboundMessage<TChannel>>) => void) | undefined;
  /** Timer functions (tests pass their own). Default: the global ones. */
  timers?: Timers | undefined;
}

export interface HubDebouncer<TChannel extends string = string> {
  /** Holds a text message for its batch; media (`media: true`) and commands flush the batch and pass at once. */
  push(message: InboundMessage<TChannel> & { media?: boolean }): Promise<void>;
  flushAll(): Promise<void>;
  readonly pending: number;
}
