/**
 * `openPostgresBackend`: the backend for several gateway replicas on one database. The `pg`
 * driver is an optional peer dependency, loaded here only (`session-hub` never imports it).
 */
import { HubError } from "../../errors.js";
import { normalizeAgentId } from "../../keys/index.js";
import { PostgresBackendImpl, type PostgresBackend } from "./backend.js";
import { loadPg, openDb, assertSchemaName, toHubError, type Pool } from "./db.js";
import { SCHEMA_VERSION, migrate, schemaVersion } from "./schema.js";

export type { PostgresBackend };

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
      if (version === 0) throw new HubError("E_NOT_FOUND", `no session store at ${location} (the schema is created by opening with migrate: true: a gateway, or hub import)`);
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
export { exportStateDir, type ExportStateDirOptions, type StateDirExportReport } from "./export-state.js";
export { followFileState, mirrorOnce, type FollowOptions, type MirrorReport } from "./follow.js";
