/**
 * `openFileBackend`: the default backend, `sessions.json` + JSONL transcripts + dedupe record
 * files + `gateways.json` on one host: the adapter from the seam (`../types.ts`) to the modules
 * beside it (`store/`, `journal/`, `lock/`, `transcripts/`, `dedupe/`, `gateways/`, `doctor/`,
 * `feed/`) and the maintenance in `src/lifecycle`.
 */
import path from "node:path";
import { HubError, describeValue } from "../../errors.js";
import { touchTime } from "../shared/arguments.js";
import type { GatewayRegistry } from "./gateways/gateways.js";
import type { PublishedMetrics } from "./gateways/gateway-metrics.js";
import { gatewayMetricsModule, gatewayModule, maintenanceModules, messageModules, messageModulesLoaded, runModule, type TurnClaimOptions } from "./lazy-modules.js";
import { resolveStateDir } from "./store/paths.js";
import { openSessionStore, type SessionStore, type SessionStoreOptions } from "./store/session-store.js";
import { assertSessionQuery, selectPage } from "../query.js";
import type { AppendMessageInput, Backend, Change, LiveBackend, WatchOptions, EntryDraft, GatewayInput, InboundIdentity, MessageQuery, PruneOptions, SessionEntry, SessionQuery, StoredMessage, TurnInput } from "../types.js";
import { keyList, narrowDraft } from "./draft.js";
import { archiveSession, assertSessionIdArgument, newestMessageTime, transcriptOf } from "./session-files.js";
import { watchFeed, watchSettingsOf } from "./feed/feed.js";
import type { FileWatcher, WatchSettings } from "./feed/watch.js";
import type { StoreWarning } from "./store/session-store.js";
import type { KeyMigrationOptions } from "./store/key-migration.js";
import { guardObserver, observerWarning, type MetricsObserver } from "../../metrics/metrics.js";
import { performance } from "node:perf_hooks";

export interface FileBackendOptions extends SessionStoreOptions {
  /**
   * Where `gateways.json` (and, by default, the stores) live. Default: env `HUB_STATE_DIR`,
   * else `~/.hub`. The other options are those of `openSessionStore`.
   */
  stateDir?: string | undefined;
  /** How `watch` notices changes: `auto` (directory events plus a poll) or `poll` (no events; network filesystems, containers). Default `auto`. */
  watchMode?: "auto" | "poll" | undefined;
  /** The interval of `watch`'s stat poll (ms). Default 1000 in `auto` mode, 200 in `poll` mode. */
  watchPollMs?: number | undefined;
}

/** The file backend: a `Backend`, plus where its files are and the store it wraps. */
export interface FileBackend extends LiveBackend {
  readonly kind: "file";
  /** Absolute path of sessions.json. */
  readonly path: string;
  /** The sessions directory (transcripts, dedupe records). */
  readonly dir: string;
  readonly stateDir: string;
  /** The underlying store, for file-only tools (doctor). */
  readonly store: SessionStore;
}

class FileBackendImpl implements FileBackend {
  readonly kind = "file";
  readonly store: SessionStore;
  readonly stateDir: string;
  private gateways: Promise<GatewayRegistry<unknown>> | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly watchers = new Set<FileWatcher>();
  private readonly watchSettings: Omit<WatchSettings, "maxQueued">;
  /** Told when a message is in its transcript but the store update after it failed. */
  private readonly onWarning: ((warning: StoreWarning) => void) | undefined;
  private closed = false;
  private readonly observer: MetricsObserver | undefined;

  constructor(options: FileBackendOptions) {
    this.stateDir = resolveStateDir(options.stateDir);
    this.store = openSessionStore({ ...options, stateDir: this.stateDir });
    this.watchSettings = watchSettingsOf(options);
    this.onWarning = options.onWarning;
    this.observer = guardObserver(options.observer, (error) => (this.onWarning ?? defaultWarning)(observerWarning(error, this.path)));
  }

  get path(): string {
    return this.store.path;
  }
  get location(): string {
    return this.store.path;
  }
  get dir(): string {
    return this.store.dir;
  }
  get agentId(): string {
    return this.store.agentId;
  }
  get durable(): boolean {
    return this.store.durable;
  }
  get now(): () => number {
    return this.store.now;
  }

  /** Runs `fn` unless closed; `close` waits for it. */
  private run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new HubError("E_STORE_CLOSED", `backend ${this.path} is closed`, { file: this.path }));
    // Async, so that invalid input rejects rather than throws.
    const promise = (async () => fn())();
    this.inFlight.add(promise);
    const forget = () => this.inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  get(key: string) {
    return this.run(() => this.store.get(key));
  }
  getMany(keys: readonly string[]) {
    return this.run(() => this.store.getMany(keys));
  }
  list(query: SessionQuery = {}) {
    return this.run(async () => {
      assertSessionQuery(query);
      return selectPage(await this.store.list(), query, this.now());
    });
  }
  update<T>(keys: string | readonly string[], fn: (draft: EntryDraft) => T) {
    return this.run(async () => {
      const list = keyList(keys);
      return this.store.mutate((draft) => fn(narrowDraft(draft, list, this.now)));
    });
  }
  touch(key: string, sessionId: string, at?: number) {
    return this.run(async () => {
      const when = touchTime(key, sessionId, at, this.now);
      // Through the clock journal, as a turn's activity: sessions.json is not rewritten.
      return this.store.touchSession(key, sessionId, when);
    });
  }
  delete(keys: readonly string[], options: { dryRun?: boolean | undefined } = {}) {
    return this.run(async () => (await maintenanceModules()).deleteSessions(this.store, keyList(keys), { dryRun: options.dryRun ?? false, now: this.now() }));
  }
  migrateKeys(canonicalKey: string, options: KeyMigrationOptions = {}) {
    return this.run(async () => (await maintenanceModules()).migrateSessionKey(this.store, canonicalKey, options));
  }
  turn<T>(input: TurnInput<T>) {
    return this.run(async () => {
      const { claimInbound, runTurn } = await messageModules();
      const claim = (identity: InboundIdentity, options: TurnClaimOptions) => claimInbound(this.store, identity, { ...options, now: this.now() });
      return runTurn(this.store, { claim, release: this.releaseNow, append: this.appendNow }, input);
    });
  }

  append(key: string, sessionId: string, messages: readonly AppendMessageInput[]) {
    return this.run(() => this.appendNow(key, sessionId, messages));
  }
  /** `append`; a turn also passes the entry it decided on (saves a read of the store). */
  private readonly appendNow = async (key: string, sessionId: string, messages: readonly AppendMessageInput[], entry?: SessionEntry): Promise<StoredMessage[]> => {
    keyList(key);
    assertSessionIdArgument(sessionId);
    if (!Array.isArray(messages)) throw new HubError("E_INVALID_ARGUMENT", "messages must be an array of messages");
    // Called in one go, they join one write (one fsync), in order.
    const options = { sessionId, entry, ...(this.onWarning === undefined ? {} : { onWarning: this.onWarning }) };
    const { appendMessage } = await messageModules();
    const started = performance.now();
    const stored = await Promise.all(messages.map((message) => appendMessage(this.store, key, message, options)));
    this.observer?.observe("transcriptAppend", performance.now() - started);
    return stored;
  };
  read(key: string, query: MessageQuery = {}) {
    return this.run(async () => (await messageModules()).readMessages(this.store, key, query));
  }
  lastActivity(key: string, sessionId: string) {
    return this.run(async () => {
      keyList(key);
      assertSessionIdArgument(sessionId);
      return newestMessageTime(this.dir, transcriptOf(this.dir, key, sessionId, await this.store.get(key)));
    });
  }
  archive(key: string, sessionId: string) {
    return this.run(async () => {
      keyList(key);
      assertSessionIdArgument(sessionId);
      return archiveSession(transcriptOf(this.dir, key, sessionId, await this.store.get(key)), this.now());
    });
  }

  claim(identity: InboundIdentity, options: { ttlMs?: number | undefined; now?: number | undefined } = {}) {
    return this.run(() => this.claimNow(identity, options));
  }
  private readonly claimNow: Backend["claim"] = async (identity, options = {}) =>
    (await messageModules()).claimInbound(this.store, identity, { ttlMs: options.ttlMs, now: options.now ?? this.now() });
  release(identity: InboundIdentity) {
    return this.run(() => this.releaseNow(identity));
  }
  private readonly releaseNow: Backend["release"] = async (identity) => (await messageModules()).releaseInbound(this.store, identity);
  pruneClaims(options: { now?: number | undefined } = {}) {
    return this.run(async () => (await messageModules()).pruneInbound(this.store, { now: options.now ?? this.now() }));
  }

  registerGateway<C>(input: GatewayInput<C>) {
    return this.run(async () => ((await this.registry()) as GatewayRegistry<C>).register(input));
  }
  removeGateway(gatewayId: string) {
    return this.run(async () => (await this.registry()).remove(gatewayId));
  }
  listGateways<C>(options: { activeOnly?: boolean | undefined } = {}) {
    return this.run(async () => ((await this.registry()) as GatewayRegistry<C>).list(options.activeOnly === undefined ? {} : { activeOnly: options.activeOnly }));
  }

  /** `gateways.json`, its module loaded on first use. */
  private registry(): Promise<GatewayRegistry<unknown>> {
    return (this.gateways ??= gatewayModule().then(({ openGatewayRegistry }) => openGatewayRegistry(this.stateDir, this.store.now, this.store.durable)));
  }

  /** Writes this hub's metrics snapshot beside the gateway registry (see gateway-metrics.ts). */
  publishMetrics(published: PublishedMetrics) {
    return this.run(async () => (await gatewayMetricsModule()).writePublishedMetrics(this.stateDir, published));
  }

  tryRun(key: string) {
    return this.run(async () => (await runModule()).tryFileRun(this.dir, keyList(key)[0] as string));
  }
  interruptRun(key: string) {
    return this.run(async () => (await runModule()).interruptFileRun(this.dir, keyList(key)[0] as string));
  }

  watch(options: WatchOptions = {}): AsyncIterable<Change> {
    if (this.closed) throw new HubError("E_STORE_CLOSED", `backend ${this.path} is closed`, { file: this.path });
    const keys = options.keys === undefined ? undefined : new Set(keyList(options.keys));
    const maxQueued = options.maxQueued ?? 10_000;
    if (!Number.isSafeInteger(maxQueued) || maxQueued < 1) throw new HubError("E_INVALID_ARGUMENT", `maxQueued must be a positive integer, got ${describeValue(maxQueued)}`);
    const settings = { ...this.watchSettings, maxQueued };
    return { [Symbol.asyncIterator]: () => watchFeed(this.store, settings, keys, options.signal, this.watchers) };
  }

  prune(options: PruneOptions = {}) {
    return this.run(async () => (await maintenanceModules()).pruneSessions(this.store, { now: this.now(), ...options }));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const watcher of this.watchers) watcher.stop();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    // A claim may have started pruning expired claims in the background.
    const loaded = messageModulesLoaded() ? await messageModules() : undefined;
    await loaded?.settleInboundPruning(this.store);
    await this.store.close();
    // Transcript locks and fds kept for the next append are given back (none without an append).
    await loaded?.releaseLeases(path.resolve(this.dir));
    loaded?.closeKeptFds(path.resolve(this.dir));
  }
}

/** Where a warning goes when the caller gave no `onWarning` (as in the store). */
function defaultWarning(warning: StoreWarning): void {
  process.emitWarning(warning.message, { code: warning.code });
}

/**
 * Opens the file backend of one agent: `<stateDir>/agents/<agentId>/sessions/sessions.json`
 * (or `path`), its transcripts and dedupe records beside it, `<stateDir>/gateways.json`.
 * Nothing is read or created until used. The caller's options object is not modified.
 */
export function openFileBackend(options: FileBackendOptions = {}): FileBackend {
  return new FileBackendImpl({ ...options });
}
