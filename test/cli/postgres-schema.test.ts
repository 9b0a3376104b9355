/**
 * `--schema <name>` (env `HUB_DATABASE_SCHEMA`) on every `hub` command on Postgres: the
 * sessions of one schema are not those of another; the name is validated as an identifier.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createDatabase } from "../support/postgres.js";
import { DAY, NOW, hub, storeOf, useTempDir, writeJson, writeTranscript } from "./helpers.js";

const tmp = useTempDir("hub-cli-pg-schema-");
const MAIN = "agent:main:main";

async function seeded(): Promise<{ files: string; empty: string; url: string }> {
  const files = path.join(tmp(), "files");
  await writeJson(storeOf(files), { [MAIN]: { sessionId: "s-main", updatedAt: NOW - 1000 }, "cron:old": { sessionId: "s-cron", updatedAt: NOW - 40 * DAY } });
  await writeTranscript(path.join(path.dirname(storeOf(files)), "s-main.jsonl"), "s-main", ["hi", "hello"]);
  await writeTranscript(path.join(path.dirname(storeOf(files)), "s-cron.jsonl"), "s-cron", ["tick"]);
  const empty = path.join(tmp(), "empty");
  await fs.mkdir(empty);
  return { files, empty, url: await createDatabase("schema") };
}

describe("hub --schema", () => {
  it("import, sessions, transcript, status, prune and export work on the named schema only; env HUB_DATABASE_SCHEMA is the default", async () => {
    const { files, empty, url } = await seeded();
    const imported = await hub(["import", files, "--database", url, "--schema", "tenant_a", "--json"]);
    expect(imported).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(imported.stdout)).toMatchObject({ to: expect.stringMatching(/\(schema tenant_a\)$/), sessions: { imported: 2 } });
    const db = ["--database", url, "--state-dir", empty];
    const listed = await hub(["sessions", "--json", ...db, "--schema", "tenant_a"]);
    expect(JSON.parse(listed.stdout)).toMatchObject({ count: 2, path: expect.stringMatching(/\(schema tenant_a\)$/) });
    const viaEnv = await hub(["sessions", "--json", "--state-dir", empty], { env: { HUB_DATABASE_URL: url, HUB_DATABASE_SCHEMA: "tenant_a" } });
    expect(viaEnv).toEqual(listed);
    // The default schema holds nothing: a read-only command does not create it.
    expect(await hub(["sessions", ...db])).toMatchObject({ code: 2, stderr: expect.stringContaining("(schema session_hub)") });
    expect(await hub(["transcript", MAIN, "--json", ...db, "--schema", "tenant_a"])).toMatchObject({ code: 0, stdout: expect.stringContaining('"count": 2') });
    expect(JSON.parse((await hub(["status", "--json", ...db, "--schema", "tenant_a"])).stdout)).toMatchObject({ count: 2, kind: "postgres" });
    const dry = JSON.parse((await hub(["prune", "--dry-run", "--json", ...db, "--schema", "tenant_a"])).stdout) as { removed: Array<{ key: string; archived: string[] }> };
    expect(dry.removed.map((r) => [r.key, r.archived.length])).toEqual([["cron:old", 1]]);
    const out = path.join(tmp(), "main.jsonl");
    expect(await hub(["export", MAIN, out, ...db, "--schema", "tenant_a"])).toMatchObject({ code: 0, stderr: "" });
    expect(await fs.readFile(out, "utf8")).toBe(await fs.readFile(path.join(path.dirname(storeOf(files)), "s-main.jsonl"), "utf8"));
  });

  it("a schema that is not an identifier is a usage error naming the rule; --schema without a database is a usage error", async () => {
    const { empty, url } = await seeded();
    for (const bad of ["Tenant", "a-b", "x; DROP TABLE y", "1abc", ""]) {
      const r = await hub(["sessions", "--database", url, "--state-dir", empty, "--schema", bad]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^hub sessions: --schema must be a lower-case identifier \(\[a-z_\]\[a-z0-9_\]\*, at most 63 characters\), got /);
    }
    const env = await hub(["sessions", "--state-dir", empty], { env: { HUB_DATABASE_URL: url, HUB_DATABASE_SCHEMA: "No" } });
    expect(env).toMatchObject({ code: 1, stderr: expect.stringMatching(/^hub sessions: env HUB_DATABASE_SCHEMA must be a lower-case identifier/) });
    const files = await hub(["sessions", "--state-dir", empty, "--schema", "tenant_a"]);
    expect(files).toMatchObject({ code: 1, stderr: expect.stringMatching(/^hub sessions: --schema names a Postgres schema: give --database/) });
  });
});
