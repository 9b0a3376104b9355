/**
 * `openPostgresBackend`: the backend for several gateway replicas on one database. Every
 * call is one statement or one transaction; a turn is one transaction (see turn.ts). The
 * `pg` driver is an optional peer dependency, loaded here only.
 */
import { HubError, describeValue } from "../../errors.js";
import { normalizeAgentId } from "../../keys/index.js";
import { assertTimestamp } from "../../store/entry.js";
import { assertSessionQuery } from "../query.js";
import type { AppendMessageInput, Change, LiveBackend, WatchOptions, EntryDraft, GatewayInput, InboundIdentity, MessageQuery, PruneOptions, SessionQuery, TurnInput } from "../types.js";
import { keyList } from "../file/draft.js";
import { assertSessionIdArgument } from "../file/session-files.js";
import { claimIn, identityOf, pruneClaimsIn, releaseIn, ttlOf } from "./claims.js";
import type { Ctx } from "./context.js";
import { loadPg, openDb, assertSchemaName, toHubError, type Pool, type PoolClient } from "./db.js";
import { lockKeys, readEntries, updateIn, writeEntry } from "./entries.js";
import { listGateways, registerGateway, removeGateway } from "./gateways.js";
import { deleteIn, migrateKeysIn, pruneIn } from "./maintenance.js";
import { listSessions } from "./list.js";
import { SCHEMA_VERSION, migrate, schemaVersion } from "./schema.js";
import { archiveIn, lastActivityOf, readPage } from "./transcripts.js";
import { appendLocked, assertTurn, turnIn } from "./turn.js";
import { watchPostgres } from "./watch.js";

export interface PostgresBackendOptions {
  /** The database URL. Default: env `HUB_DATABASE_URL`. Ignored when `pool` is given. */
  connectionString?: string | undefined;
  /** Your own `pg.Pool`; `close()` then leaves it open. */
  pool?: Pool | undefined;
  /** The agent whose sessions this backend holds. Default `"main"`. */
  agentId?: string | undefined;
  /** The schema of the tables (an identifier: `[a-z_][a-z0-9_]*`). Default `"session_hub"`. */
  schema?: string | undefined;
  /** Apply pending migrations at open (under an advisory lock). Default true. */
  migrate?: boolean | undefined;
  /** The clock (epoch ms). Default `Date.now`. */
  now?: (() => number) | undefined;
}

export interface PostgresBackend extends LiveBackend {
  readonly kind: "postgres";
  readonly schema: string;
  watch(options?: WatchOptions): AsyncIterable<Change>;
  /** The pool the backend runs on. */
  readonly pool: Pool;
}

/** `postgres://user@host:port/db (schema s)`, without a password. */
function describeLocation(pool: Pool, schema: string): string {
  const o = pool.options as { connectionString?: string; host?: string; port?: number; database?: string; user?: string };
  if (typeof o.connectionString === "string") {
    try {
      const url = new URL(o.connectionString);
      return `${url.protocol}//${decodeURIComponent(url.username)}@${url.host}${url.pathname} (schema ${schema})`;
    } catch {
      return `postgres (schema ${schema})`; // a keyword=value string: not shown, it may hold a password
    }
  }
  return `postgres://${o.user ?? ""}@${o.host ?? "localhost"}:${o.port ?? 5432}/${o.database ?? ""} (schema ${schema})`;
}

class PostgresBackendImpl implements PostgresBackend {
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
      keyList(key);
      assertSessionIdArgument(sessionId);
      const when = at ?? this.now();
      assertTimestamp(when, "at", "E_INVALID_ARGUMENT");
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
      return this.ctx.db.tx((client) => claimIn(client, this.ctx, id, options.now ?? this.now(), ttl));
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

  prune(options: PruneOptions = {}) {
    return this.tx((client) => pruneIn(client, this.ctx, options));
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

/** Whether the server makes a commit durable (fsync on, synchronous commit not off). */
async function serverIsDurable(pool: Pool): Promise<boolean> {
  const { rows } = await pool.query<{ fsync: string; sync: string }>("SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync");
  return rows[0]?.fsync === "on" && rows[0]?.sync !== "off";
}

/**
 * Opens the Postgres backend of one agent: connects, applies pending migrations (unless
 * `migrate: false`, when the schema must be current), and resolves once it is usable.
 * Rejects `E_BACKEND_UNAVAILABLE` when the database cannot be reached (or `pg` is missing).
 */
export async function openPostgresBackend(options: PostgresBackendOptions = {}): Promise<PostgresBackend> {
  const schema = options.schema ?? "session_hub";
  assertSchemaName(schema);
  const agentId = normalizeAgentId(options.agentId ?? "main");
  let pool = options.pool;
  const ownsPool = pool === undefined;
  if (pool === undefined) {
    const connectionString = options.connectionString ?? process.env.HUB_DATABASE_URL;
    if (typeof connectionString !== "string" || connectionString === "") {
      throw new HubError("E_INVALID_CONFIG", "openPostgresBackend needs connectionString, pool, or env HUB_DATABASE_URL");
    }
    const pg = await loadPg();
    pool = new pg.Pool({ connectionString, max: 10 });
    // An idle connection the server closed (a restart) is dropped by the pool; the next call reconnects.
    pool.on("error", (error) => void error);
  }
  const location = describeLocation(pool, schema);
  const db = openDb(pool, location);
  const quoted = `"${schema}"`;
  try {
    if (options.migrate ?? true) await db.tx((client) => migrate(client, quoted));
    else {
      const version = await schemaVersion(pool, quoted);
      if (version < SCHEMA_VERSION) throw new HubError("E_INVALID_CONFIG", `${location} has schema version ${version}, this code needs ${SCHEMA_VERSION}: open with migrate: true`);
    }
    const durable = await serverIsDurable(pool);
    return new PostgresBackendImpl({ db, schema: quoted, agentId, now: options.now ?? Date.now, location }, durable, ownsPool, schema);
  } catch (error) {
    if (ownsPool) await pool.end();
    throw toHubError(error, location);
  }
}
export { exportTranscript, type ExportTranscriptOptions } from "./export.js";
export { importFileState, type ImportReport } from "./import.js";
