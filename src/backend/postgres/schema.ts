/**
 * The schema of the Postgres backend: numbered, forward-only migrations, applied in one
 * transaction that first takes a transaction-scoped advisory lock, so replicas opening at
 * once apply each migration exactly once (the others wait, then find nothing to do).
 *
 * Decisions: an entry is kept as JSON text (`entry`), not jsonb: jsonb reorders keys and
 * keeps only the last of duplicate keys, and the entry must come back as it was stored
 * (field order, `__proto__` as a field). Columns beside it (session_id, updated_at, channel,
 * chat_type) are copies for queries. A transcript line is kept as the exact text of its
 * JSONL line, so an export is byte-faithful.
 */
import type { PoolClient } from "pg";

/** The advisory lock (two-int form, apart from the per-key bigint locks) guarding migrations. */
const MIGRATION_LOCK = [0x5e551, 0x0b0b] as const;

const MIGRATIONS: ReadonlyArray<(s: string) => string> = [
  (s) => `
    CREATE TABLE ${s}.sessions (
      agent_id text NOT NULL,
      key text NOT NULL,
      session_id text NOT NULL,
      updated_at bigint NOT NULL,
      channel text,
      chat_type text,
      entry text NOT NULL,
      PRIMARY KEY (agent_id, key)
    );
    CREATE INDEX sessions_by_activity ON ${s}.sessions (agent_id, updated_at DESC, key);
    CREATE TABLE ${s}.transcripts (
      agent_id text NOT NULL,
      session_id text NOT NULL,
      key text NOT NULL,
      header text NOT NULL,
      next_seq bigint NOT NULL DEFAULT 1,
      last_id text,
      archived_at bigint,
      PRIMARY KEY (agent_id, session_id)
    );
    CREATE TABLE ${s}.messages (
      agent_id text NOT NULL,
      session_id text NOT NULL,
      seq bigint NOT NULL,
      id text NOT NULL,
      parent_id text,
      at bigint NOT NULL,
      thread_id text,
      archived_at bigint,
      line text NOT NULL,
      PRIMARY KEY (agent_id, session_id, seq)
    );
    CREATE TABLE ${s}.claims (
      agent_id text NOT NULL,
      identity text NOT NULL,
      expires_at bigint NOT NULL,
      PRIMARY KEY (agent_id, identity)
    );
    CREATE INDEX claims_by_expiry ON ${s}.claims (agent_id, expires_at);
    CREATE TABLE ${s}.gateways (
      gateway_id text PRIMARY KEY,
      registered_at bigint NOT NULL,
      record text NOT NULL
    );`,
  // Transcript entries other than messages (model changes, custom entries...) keep their
  // place in the chain when a file transcript is imported; `read` shows messages only.
  (s) => `ALTER TABLE ${s}.messages ADD COLUMN kind text NOT NULL DEFAULT 'message';`,
  // The change feed: a changed entry or transcript notifies its key on "<schema>.changes"
  // at commit (Postgres folds repeats within one transaction into one).
  (s) => `
    CREATE FUNCTION ${s}.notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE row record;
    BEGIN
      IF TG_OP = 'DELETE' THEN row := OLD; ELSE row := NEW; END IF;
      PERFORM pg_notify(TG_TABLE_SCHEMA || '.changes', json_build_array(row.agent_id, row.key)::text);
      RETURN NULL;
    END $$;
    CREATE TRIGGER sessions_changed AFTER INSERT OR UPDATE OR DELETE ON ${s}.sessions FOR EACH ROW EXECUTE FUNCTION ${s}.notify_change();
    CREATE TRIGGER transcripts_changed AFTER INSERT OR UPDATE ON ${s}.transcripts FOR EACH ROW EXECUTE FUNCTION ${s}.notify_change();`,
  // A claim is final only once its message is in a transcript: a bare claim() is not done
  // until then (claims made before this migration count as done).
  (s) => `ALTER TABLE ${s}.claims ADD COLUMN claimed_at bigint, ADD COLUMN done boolean NOT NULL DEFAULT true;`,
  // Run leases (issue 14): one row per conversation while an agent turn holds it, kept alive
  // by its holder; expiry and heartbeats use the database's clock.
  (s) => `
    CREATE TABLE ${s}.run_leases (
      agent_id text NOT NULL,
      key text NOT NULL,
      token text NOT NULL,
      expires_at timestamptz NOT NULL,
      interrupted boolean NOT NULL DEFAULT false,
      PRIMARY KEY (agent_id, key)
    );`,
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Applies the pending migrations of `schema` (creating it); resolves with the versions applied. */
export async function migrate(client: PoolClient, schema: string): Promise<number[]> {
  await client.query("SELECT pg_advisory_xact_lock($1, $2)", [...MIGRATION_LOCK]);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const { rows } = await client.query<{ version: number }>(`SELECT coalesce(max(version), 0)::int AS version FROM ${schema}.migrations`);
  const current = rows[0]?.version ?? 0;
  const applied: number[] = [];
  for (let version = current + 1; version <= MIGRATIONS.length; version++) {
    await client.query((MIGRATIONS[version - 1] as (s: string) => string)(schema));
    await client.query(`INSERT INTO ${schema}.migrations (version) VALUES ($1)`, [version]);
    applied.push(version);
  }
  return applied;
}

/** The schema version a database has (0: none), for `migrate: false`. */
export async function schemaVersion(client: Pick<PoolClient, "query">, schema: string): Promise<number> {
  const { rows } = await client.query<{ exists: string | null }>("SELECT to_regclass($1) AS exists", [`${schema}.migrations`]);
  if (rows[0]?.exists == null) return 0;
  const result = await client.query<{ version: number }>(`SELECT coalesce(max(version), 0)::int AS version FROM ${schema}.migrations`);
  return result.rows[0]?.version ?? 0;
}
