/**
 * The Postgres backend's calls: every call is one statement or one transaction (a turn is
 * one transaction, see turn.ts); `close` waits for calls in flight.
 */
import { HubError, describeValue } from "../../errors.js";
import { assertSessionQuery } from "../query.js";
import type { AppendMessageInput, Change, LiveBackend, WatchOptions, EntryDraft, GatewayInput, InboundIdentity, MessageQuery, PruneOptions, SessionQuery, TurnInput } from "../types.js";
import { assertSessionIdArgument, keyList, touchTime } from "../shared/arguments.js";
import { claimIn, identityOf, pruneClaimsIn, releaseIn, ttlOf } from "./claims.js";
import type { Ctx } from "./context.js";
import type { Pool, PoolClient } from "./db.js";
import { lockKeys, readEntries, updateIn, writeEntry } from "./entries.js";
import { listGateways, registerGateway, removeGateway } from "./gateways.js";
import { publishMetricsIn, readPublishedMetricsIn } from "./gateway-metrics.js";
import type { MetricsPublishing, MetricsReading, PublishedMetrics } from "../file/gateways/gateway-metrics.js";
import { deleteIn, migrateKeysIn, pruneIn } from "./maintenance.js";
import { listSessions } from "./list.js";
import { archiveIn, lastActivityOf, readPage } from "./transcripts.js";
import { appendLocked, assertTurn, turnIn } from "./turn.js";
import { watchPostgres } from "./watch.js";
import { interruptPostgresRun, tryPostgresRun } from "./runs.js";

export interface PostgresBackend extends LiveBackend, MetricsPublishing, MetricsReading {
  readonly kind: "postgres";
  readonly schema: string;
  watch(options?: WatchOptions): AsyncIterable<Change>;
  /** The pool the backend runs on. */
  readonly pool: Pool;
}

export class PostgresBackendImpl implements PostgresBackend {
  readonly kind = "postgres";
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly closing = new AbortController();
  private closed = false;

  constructor(
    private readonly ctx: Ctx,
    readonly durable: boolean,
    private readonly ownsPool: boolean,
    private readonly schemaName: string,
  ) {}

  get location() {
    return this.ctx.location;
  }
  get agentId() {
    return this.ctx.agentId;
  }
  get schema() {
    return this.schemaName;
  }
  get now() {
    return this.ctx.now;
  }
  get pool() {
    return this.ctx.db.pool;
  }

  private run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new HubError("E_STORE_CLOSED", `backend ${this.location} is closed`));
    const promise = (async () => fn())();
    this.inFlight.add(promise);
    const forget = () => this.inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
  private tx<T>(fn: (client: PoolClient) => Promise<T>) {
    return this.run(() => this.ctx.db.tx(fn));
  }

  get(key: string) {
    return this.run(async () => (await this.getMany([key]))[0]);
  }
  getMany(keys: readonly string[]) {
    return this.run(async () => {
      if (!Array.isArray(keys)) throw new HubError("E_INVALID_ARGUMENT", `keys must be an array of keys, got ${describeValue(keys)}`);
      if (keys.length === 0) return [];
      const found = await this.ctx.db.tx((client) => readEntries(client, this.ctx, keyList(keys)));
      return keys.map((key) => found.get(key));
    });
  }
  list(query: SessionQuery = {}) {
    return this.run(async () => {
      assertSessionQuery(query);
      return listSessions(this.ctx, query);
    });
  }
  update<T>(keys: string | readonly string[], fn: (draft: EntryDraft) => T) {
    return this.tx((client) => updateIn(client, this.ctx, keyList(keys), fn));
  }
  touch(key: string, sessionId: string, at?: number) {
    return this.run(async () => {
      const when = touchTime(key, sessionId, at, this.now);
      return this.ctx.db.tx(async (client) => {
        await lockKeys(client, this.ctx, [key]);
        const entry = (await readEntries(client, this.ctx, [key])).get(key);
        if (entry?.sessionId !== sessionId) return false;
        if (entry.updatedAt < when) await writeEntry(client, this.ctx, key, { ...entry, updatedAt: when });
        return true;
      });
    });
  }
  delete(keys: readonly string[], options: { dryRun?: boolean | undefined } = {}) {
    return this.tx((client) => deleteIn(client, this.ctx, keyList(keys), options.dryRun ?? false));
  }
  migrateKeys(canonicalKey: string) {
    return this.tx(async (client) => migrateKeysIn(client, this.ctx, keyList(canonicalKey)[0] as string));
  }
  turn<T>(input: TurnInput<T>) {
    return this.run(async () => {
      assertTurn(input);
      return this.ctx.db.tx((client) => turnIn(client, this.ctx, input));
    });
  }

  append(key: string, sessionId: string, messages: readonly AppendMessageInput[]) {
    return this.run(async () => {
      keyList(key);
      assertSessionIdArgument(sessionId);
      return this.ctx.db.tx(async (client) => {
        await lockKeys(client, this.ctx, [key]);
        const entry = (await readEntries(client, this.ctx, [key])).get(key);
        return (await appendLocked(client, this.ctx, key, sessionId, entry, messages)).messages;
      });
    });
  }
  read(key: string, query: MessageQuery = {}) {
    return this.run(async () => {
      keyList(key);
      return this.ctx.db.tx(async (client) => {
        const entry = (await readEntries(client, this.ctx, [key])).get(key);
        return entry === undefined ? { messages: [] } : readPage(client, this.ctx, entry.sessionId, query);
      });
    });
  }
  lastActivity(key: string, sessionId: string) {
    return this.run(async () => {
      keyList(key);
      assertSessionIdArgument(sessionId);
      return this.ctx.db.tx((client) => lastActivityOf(client, this.ctx, sessionId));
    });
  }
  archive(key: string, sessionId: string) {
    return this.run(async () => {
      keyList(key);
      assertSessionIdArgument(sessionId);
      return [...(await this.ctx.db.tx((client) => archiveIn(client, this.ctx, [sessionId], this.now()))).values()];
    });
  }

  claim(identity: InboundIdentity, options: { ttlMs?: number | undefined; now?: number | undefined } = {}) {
    return this.run(async () => {
      const id = identityOf(identity);
      const ttl = ttlOf(options.ttlMs);
      return this.ctx.db.tx((client) => claimIn(client, this.ctx, id, options.now ?? this.now(), ttl, false));
    });
  }
  release(identity: InboundIdentity) {
    return this.run(async () => {
      const id = identityOf(identity);
      return this.ctx.db.tx((client) => releaseIn(client, this.ctx, id));
    });
  }
  pruneClaims(options: { now?: number | undefined } = {}) {
    return this.tx((client) => pruneClaimsIn(client, this.ctx, options.now ?? this.now()));
  }

  registerGateway<C>(input: GatewayInput<C>) {
    return this.run(() => registerGateway(this.ctx, input));
  }
  removeGateway(gatewayId: string) {
    return this.run(() => removeGateway(this.ctx, gatewayId));
  }
  listGateways<C>(options: { activeOnly?: boolean | undefined } = {}) {
    return this.run(() => listGateways<C>(this.ctx, options.activeOnly ?? false));
  }
  /** Keeps a hub's metrics snapshot on its gateway's row (see gateway-metrics.ts). */
  publishMetrics(published: PublishedMetrics) {
    return this.run(() => publishMetricsIn(this.ctx, published));
  }
  readPublishedMetrics() {
    return this.run(() => readPublishedMetricsIn(this.ctx, this.agentId));
  }

  prune(options: PruneOptions = {}) {
    return this.tx((client) => pruneIn(client, this.ctx, options));
  }

  tryRun(key: string) {
    return this.run(() => tryPostgresRun(this.ctx, keyList(key)[0] as string));
  }
  interruptRun(key: string) {
    return this.run(() => interruptPostgresRun(this.ctx, keyList(key)[0] as string));
  }

  watch(options: WatchOptions = {}): AsyncIterable<Change> {
    if (this.closed) throw new HubError("E_STORE_CLOSED", `backend ${this.location} is closed`);
    const keys = options.keys === undefined ? undefined : new Set(keyList(options.keys));
    const maxQueued = options.maxQueued ?? 10_000;
    if (!Number.isSafeInteger(maxQueued) || maxQueued < 1) throw new HubError("E_INVALID_ARGUMENT", `maxQueued must be a positive integer, got ${describeValue(maxQueued)}`);
    const feed = { keys, maxQueued, signal: options.signal, closed: this.closing.signal };
    return { [Symbol.asyncIterator]: () => watchPostgres(this.ctx, `${this.schemaName}.changes`, feed) };
  }

  async close(): Promise<void> {
    const first = !this.closed;
    this.closed = true;
    this.closing.abort();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    if (first && this.ownsPool) await this.ctx.db.pool.end();
  }
}
