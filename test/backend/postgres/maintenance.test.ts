/** Maintenance on Postgres: nothing grows without bound (archived transcripts go after archiveRetention). */
import pg from "pg";
import { expect, it } from "vitest";
import { openPostgresBackend } from "../../../src/backend/postgres/index.js";
import { usePostgresDatabase } from "../../support/postgres.js";

const database = usePostgresDatabase("maint");
const DAY = 86_400_000;

it("prune deletes transcripts archived longer ago than archiveRetention, and only those", async () => {
  const url = database();
  const clock = { now: Date.UTC(2026, 0, 1) };
  const backend = await openPostgresBackend({ connectionString: url, schema: "m", now: () => clock.now });
  const count = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ n: string; t: string }>("SELECT (SELECT count(*) FROM m.messages) AS n, (SELECT count(*) FROM m.transcripts) AS t");
    await client.end();
    return [Number(rows[0]?.n), Number(rows[0]?.t)];
  };
  try {
    await backend.append("agent:main:a", "s-a", [{ role: "user", content: "old" }]);
    await backend.append("agent:main:b", "s-b", [{ role: "user", content: "kept" }]);
    expect((await backend.delete(["agent:main:a"]))[0]?.archived).toHaveLength(1);
    clock.now += 10 * DAY;
    expect((await backend.prune({ archiveRetention: "30d" })).archivesRemoved).toEqual([]);
    expect(await count()).toEqual([2, 2]);
    clock.now += 25 * DAY;
    const dry = await backend.prune({ archiveRetention: "30d", pruneAfter: "90d", dryRun: true });
    expect(dry.archivesRemoved).toHaveLength(1);
    expect(await count()).toEqual([2, 2]);
    const report = await backend.prune({ archiveRetention: "30d", pruneAfter: "90d" });
    expect(report.archivesRemoved).toHaveLength(1);
    expect(await count()).toEqual([1, 1]);
    expect((await backend.read("agent:main:b")).messages.map((m) => m.content)).toEqual(["kept"]);
  } finally {
    await backend.close();
  }
});
