/**
 * The Postgres side of the CLI (`--database <url>` or env `HUB_DATABASE_URL`). The backend
 * module is imported here, on demand only, so that the CLI runs without `pg` installed.
 */
import type { PostgresBackend } from "../backend/postgres/index.js";
import type { CliIo, Target } from "./command.js";

/**
 * The database backend of the target's agent. A read-only command never creates or migrates
 * the schema: a database without one is `E_NOT_FOUND`, like a missing sessions.json.
 */
export async function openDatabase(target: Target & { databaseUrl: string }, io: CliIo, options: { readOnly: boolean }): Promise<PostgresBackend> {
  const { openPostgresBackend } = await import("../backend/postgres/index.js");
  // A read never creates or migrates the schema: a database without one is E_NOT_FOUND.
  return openPostgresBackend({
    connectionString: target.databaseUrl,
    agentId: target.agentId,
    schema: target.databaseSchema,
    migrate: !options.readOnly,
    ...(io.now ? { now: io.now } : {}),
  });
}

/** The schema version the database is at (`hub status`). */
export async function databaseSchemaVersion(backend: PostgresBackend): Promise<number> {
  const { schemaVersion } = await import("../backend/postgres/schema.js");
  return schemaVersion(backend.pool, `"${backend.schema}"`);
}
