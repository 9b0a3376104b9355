/** Opening the Postgres backend: migrations under a lock, validation, a missing driver, an unreachable server. */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { openPostgresBackend } from "../../../src/backend/postgres/index.js";
import { SCHEMA_VERSION } from "../../../src/backend/postgres/schema.js";
import { HubError } from "../../../src/errors.js";
import { freePort } from "../../support/postgres-cluster.mjs";
import { usePostgresDatabase } from "../../support/postgres.js";
import { REPO_ROOT, ensureDistBuilt, errorCodeOf } from "../../support.js";

const database = usePostgresDatabase("open");

describe("openPostgresBackend", () => {
  it("four replicas opening a fresh schema at once apply the migration once and all work", async () => {
    const url = database();
    const backends = await Promise.all(Array.from({ length: 4 }, () => openPostgresBackend({ connectionString: url, schema: "race" })));
    try {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query("SELECT version FROM race.migrations ORDER BY version");
      await client.end();
      expect(rows).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })));
      await Promise.all(backends.map((b, i) => b.append(`agent:main:k${i}`, `s-${i}`, [{ role: "user", content: "hi" }])));
      expect((await backends[0]?.list())?.total).toBe(4);
    } finally {
      await Promise.all(backends.map((b) => b.close()));
    }
  });

  it("validates the schema name and refuses a missing schema with migrate: false (E_NOT_FOUND)", async () => {
    const url = database();
    expect(await errorCodeOf(openPostgresBackend({ connectionString: url, schema: "x; DROP TABLE y" }))).toBe("E_INVALID_ARGUMENT");
    expect(await errorCodeOf(openPostgresBackend({ connectionString: url, schema: "Upper" }))).toBe("E_INVALID_ARGUMENT");
    expect(await errorCodeOf(openPostgresBackend({ connectionString: url, schema: "never_made", migrate: false }))).toBe("E_NOT_FOUND");
    expect(await errorCodeOf(openPostgresBackend({ connectionString: "" }))).toBe("E_INVALID_CONFIG");
  });

  it("an unreachable server is E_BACKEND_UNAVAILABLE with the driver's error as cause", async () => {
    const port = await freePort();
    const error = await openPostgresBackend({ connectionString: `postgres://postgres:secret@127.0.0.1:${port}/none` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).code).toBe("E_BACKEND_UNAVAILABLE");
    expect((error as HubError).cause).toMatchObject({ code: "ECONNREFUSED" });
    expect((error as HubError).message).not.toContain("secret");
  });

  it("keeps an entry's field order and a __proto__ field as stored (JSON text, not jsonb)", async () => {
    const backend = await openPostgresBackend({ connectionString: database(), schema: "order" });
    try {
      const entry = JSON.parse('{"zeta":1,"sessionId":"s-1","alpha":{"b":1,"a":2},"updatedAt":5,"__proto__":{"x":1}}');
      await backend.update("k", (draft) => draft.set("k", entry));
      expect(JSON.stringify(await backend.get("k"))).toBe(JSON.stringify(entry));
    } finally {
      await backend.close();
    }
  });

  it("without pg installed, the main entry loads and opening Postgres names the package to install", async () => {
    await ensureDistBuilt();
    const hook = path.join(REPO_ROOT, "test/backend/children/no-pg-hook.mjs");
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", hook, path.join(REPO_ROOT, "test/backend/children/no-pg.mjs")]);
    const result = JSON.parse(stdout.trim()) as { mainLoaded: boolean; code: string; message: string };
    expect(result.mainLoaded).toBe(true);
    expect(result.code).toBe("E_BACKEND_UNAVAILABLE");
    expect(result.message).toContain("npm install pg");
  });
});
