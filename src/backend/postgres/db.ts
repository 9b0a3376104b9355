/**
 * The connection side of the Postgres backend: loading `pg`, running one transaction with
 * retries on serialization conflicts, and turning connection failures into
 * `E_BACKEND_UNAVAILABLE`. Every statement is parameterized; the schema name (validated as an
 * identifier at open) is the only text spliced into SQL.
 */
import { createHash } from "node:crypto";
import { HubError, describeValue } from "../../errors.js";
import type { Pool, PoolClient, QueryConfig } from "pg";

export type { Pool, PoolClient };

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema name safe to splice into SQL: lower-case letters, digits, `_`, at most 63 bytes. */
export function assertSchemaName(schema: unknown): asserts schema is string {
  if (typeof schema !== "string" || !IDENTIFIER.test(schema)) {
    throw new HubError("E_INVALID_ARGUMENT", `schema must match ${IDENTIFIER}, got ${describeValue(schema)}`);
  }
}

const names = new Map<string, string>();

/**
 * A named statement for the hot path: node-postgres prepares it once per connection, so the
 * server parses and plans it once instead of on every call. The name is a hash of the text.
 */
export function named(text: string, values: unknown[]): QueryConfig {
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= 1000) names.clear(); // texts differ only by schema and shape: this never fills in practice
    name = `hub_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
    names.set(text, name);
  }
  return { name, text, values };
}

/** node-postgres, loaded on first use so that `session-hub` itself never needs it. */
export async function loadPg(): Promise<typeof import("pg")> {
  try {
    const loaded = (await import("pg")) as typeof import("pg") & { default?: typeof import("pg") };
    return loaded.default ?? loaded;
  } catch (error) {
    throw new HubError(
      "E_BACKEND_UNAVAILABLE",
      `session-hub/postgres needs the "pg" package (node-postgres): npm install pg (${(error as Error).message})`,
      { cause: error },
    );
  }
}

/** SQLSTATEs after which the whole transaction is simply run again. */
const RETRY = new Set(["40001", "40P01"]);
/** SQLSTATE classes of a server or connection going away. */
const UNAVAILABLE_CLASSES = ["08", "57", "53"];
const UNAVAILABLE_ERRNO = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "EAI_AGAIN"]);

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Whether `error` says the database cannot be reached (as opposed to a failed statement). */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof HubError) return false;
  const code = sqlState(error);
  if (code !== undefined && (UNAVAILABLE_ERRNO.has(code) || UNAVAILABLE_CLASSES.some((c) => code.startsWith(c)))) return true;
  const message = error instanceof Error ? error.message : "";
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(message);
}

/** `error` as a `HubError`: connection failures become `E_BACKEND_UNAVAILABLE`, our own pass, the rest `E_IO`. */
export function toHubError(error: unknown, location: string): unknown {
  if (error instanceof HubError) return error;
  if (isUnavailable(error)) {
    return new HubError("E_BACKEND_UNAVAILABLE", `database ${location} is unavailable: ${(error as Error).message}`, { cause: error });
  }
  if (error instanceof Error && sqlState(error) !== undefined) {
    return new HubError("E_IO", `database ${location}: ${error.message}`, { cause: error });
  }
  return error; // a throw of the caller's own callback: passed on as it is
}

export interface Db {
  readonly pool: Pool;
  readonly location: string;
  /** One statement outside any transaction. */
  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /**
   * `fn` inside BEGIN/COMMIT (or `options.begin`, e.g. a read-only snapshot); rolled back when
   * it throws; run again on a serialization conflict or deadlock.
   */
  tx<T>(fn: (client: PoolClient) => Promise<T>, options?: { begin?: string }): Promise<T>;
}

export function openDb(pool: Pool, location: string): Db {
  return {
    pool,
    location,
    async query(sql, params = []) {
      try {
        return (await pool.query(sql, params as unknown[])).rows;
      } catch (error) {
        throw toHubError(error, location);
      }
    },
    async tx(fn, options = {}) {
      for (let attempt = 1; ; attempt++) {
        let client: PoolClient;
        try {
          client = await pool.connect();
        } catch (error) {
          throw toHubError(error, location);
        }
        let broken = false;
        // A connection that dies while checked out reports here (and fails the query in flight).
        const died = () => {
          broken = true;
        };
        client.on("error", died);
        try {
          await client.query(options.begin ?? "BEGIN");
          const result = await fn(client);
          await client.query("COMMIT");
          return result;
        } catch (error) {
          broken = isUnavailable(error);
          if (!broken) {
            await client.query("ROLLBACK").catch(() => {
              broken = true; // a client that cannot roll back is not reused
            });
          }
          if (!broken && RETRY.has(sqlState(error) ?? "") && attempt < 20) continue;
          throw toHubError(error, location);
        } finally {
          // A client whose connection broke is discarded, not handed to the next caller.
          client.off("error", died);
          client.release(broken);
        }
      }
    },
  };
}
