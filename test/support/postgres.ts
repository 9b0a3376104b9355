/** Postgres plumbing for test files: a fresh database per file on the run's cluster. */
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";

let counter = 0;

/** Creates a fresh empty database on the cluster of this run; resolves with its URL. */
export async function createDatabase(prefix = "hub"): Promise<string> {
  const admin = inject("postgresAdminUrl");
  const name = `${prefix}_${process.pid}_${++counter}_${Date.now().toString(36)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh database for the test file (made in beforeAll); returns a getter for its URL. */
export function usePostgresDatabase(prefix = "hub"): () => string {
  let url: string | undefined;
  beforeAll(async () => {
    url = await createDatabase(prefix);
  });
  afterAll(() => {
    url = undefined; // the cluster, and every database on it, goes at the end of the run
  });
  return () => {
    if (url === undefined) throw new Error("usePostgresDatabase: no database yet (call inside a test)");
    return url;
  };
}
