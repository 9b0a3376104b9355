/**
 * Every `hub` command on Postgres (`--database`, env `HUB_DATABASE_URL`): the same output
 * shapes as on files for the same data (a file state dir imported with `hub import`),
 * `hub import` idempotence, `hub export` read back, and the file-only commands refused.
 */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { openPostgresBackend } from "../../src/backend/postgres/index.js";
import { main, type CliIo } from "../../src/cli/main.js";
import { createDatabase } from "../support/postgres.js";
import { DAY, HOUR, MINUTE, NOW, REPO_ROOT, ensureDistBuilt, hub, storeOf, useTempDir, writeJson, writeTranscript } from "./helpers.js";

const tmp = useTempDir("hub-cli-pg-");
const MAIN = "agent:main:main";
const GROUP = "agent:main:whatsapp:group:123@g.us";
const SEEDED = {
  "cron:nightly": { sessionId: "s-cron", updatedAt: NOW - 40 * DAY },
  [GROUP]: { sessionId: "s-wa", updatedAt: NOW - 3 * HOUR, channel: "whatsapp", chatType: "group", displayName: "whatsapp:g-family", label: "fam" },
  [MAIN]: { sessionId: "s-main", updatedAt: NOW - 10_000, model: "claude-sonnet", totalTokens: 2000, contextTokens: 32000, chatType: "direct", lastChannel: "telegram" },
  "agent:main:slack:channel:c0eng": { sessionId: "s-slack", updatedAt: NOW - 5 * MINUTE, channel: "slack", chatType: "channel", modelOverride: "gpt-5" },
};

/** A file state dir with four sessions, two transcripts; and an empty state dir for the database runs (no config). */
async function seed(): Promise<{ files: string; empty: string }> {
  const files = path.join(tmp(), "files");
  await writeJson(storeOf(files), SEEDED);
  await writeTranscript(path.join(path.dirname(storeOf(files)), "s-main.jsonl"), "s-main", ["hi", "hello", "how are you"]);
  await writeTranscript(path.join(path.dirname(storeOf(files)), "s-wa.jsonl"), "s-wa", ["family"]);
  const empty = path.join(tmp(), "empty");
  await fs.mkdir(empty);
  return { files, empty };
}

/** A fresh database with the seeded state imported by `hub import`. */
async function imported(): Promise<{ files: string; empty: string; url: string }> {
  const dirs = await seed();
  const url = await createDatabase("cli");
  const r = await hub(["import", dirs.files, "--database", url, "--json"]);
  expect(r).toMatchObject({ code: 0, stderr: "" });
  return { ...dirs, url };
}

function withoutPath(json: string): unknown {
  const { path: _where, ...rest } = JSON.parse(json) as Record<string, unknown>;
  return rest;
}

describe("hub on Postgres: the same output as on files", () => {
  it("sessions --json, the table, show and transcript equal the file backend's (path: the database's location, no password)", async () => {
    const { files, empty, url } = await imported();
    const onFiles = await hub(["sessions", "--json", "--state-dir", files]);
    const onDb = await hub(["sessions", "--json", "--state-dir", empty, "--database", url]);
    expect(onDb).toMatchObject({ code: 0, stderr: "" });
    expect(withoutPath(onDb.stdout)).toEqual(withoutPath(onFiles.stdout));
    expect((JSON.parse(onDb.stdout) as { sessions: unknown[] }).sessions).toHaveLength(4);
    const location = (JSON.parse(onDb.stdout) as { path: string }).path;
    expect(location).toMatch(/^postgres:\/\/[^:@]*@127\.0\.0\.1:[0-9]+\/cli_[a-z0-9_]+ \(schema session_hub\)$/);
    // env HUB_DATABASE_URL instead of --database; the table differs only in its first line.
    const table = await hub(["sessions", "--state-dir", empty], { env: { HUB_DATABASE_URL: url } });
    const fileTable = await hub(["sessions", "--state-dir", files]);
    expect(table.stdout.split("\n")[0]).toBe(`Session store: ${location}`);
    expect(table.stdout.split("\n").slice(1)).toEqual(fileTable.stdout.split("\n").slice(1));
    for (const argv of [["sessions", "show", MAIN, "--json"], ["transcript", MAIN, "--json", "--limit", "2"], ["transcript", MAIN]]) {
      const db = await hub([...argv, "--state-dir", empty, "--database", url]);
      expect(db).toEqual(await hub([...argv, "--state-dir", files]));
    }
    expect(JSON.parse((await hub(["transcript", MAIN, "--json", "--database", url, "--state-dir", empty])).stdout)).toMatchObject({ count: 3, more: false });
    const missing = await hub(["sessions", "show", "agent:main:nope", "--database", url, "--state-dir", empty]);
    expect(missing).toEqual({ code: 2, stdout: "", stderr: `hub sessions: no session "agent:main:nope" in ${location}\n` });
  });

  it("sessions delete and prune --dry-run report what the file backend reports", async () => {
    const { files, empty, url } = await imported();
    const prune = ["prune", "--dry-run", "--json"];
    const dbReport = JSON.parse((await hub([...prune, "--database", url, "--state-dir", empty])).stdout) as { removed: Array<{ key: string; reason: string }>; kept: number; dryRun: boolean };
    const fileReport = JSON.parse((await hub([...prune, "--state-dir", files])).stdout) as typeof dbReport;
    expect(dbReport).toMatchObject({ dryRun: true, kept: fileReport.kept, removed: [{ key: "cron:nightly", reason: fileReport.removed[0]?.reason }] });
    expect(fileReport.removed.map((s) => s.key)).toEqual(["cron:nightly"]);
    expect((await hub(["sessions", "show", "cron:nightly", "--database", url, "--state-dir", empty])).code).toBe(0);

    const dry = await hub(["sessions", "delete", GROUP, "--dry-run", "--database", url, "--state-dir", empty]);
    expect(dry).toEqual(await hub(["sessions", "delete", GROUP, "--dry-run", "--state-dir", files]));
    expect(dry).toEqual({ code: 0, stdout: `would delete ${GROUP} (would archive 1 transcript)\n`, stderr: "" });
    const db = await hub(["sessions", "delete", GROUP, "--database", url, "--state-dir", empty]);
    const file = await hub(["sessions", "delete", GROUP, "--state-dir", files]);
    expect(db).toEqual(file);
    expect(db.stdout).toBe(`deleted ${GROUP} (archived 1 transcript)\n`);
    expect((await hub(["sessions", "show", GROUP, "--database", url, "--state-dir", empty])).code).toBe(2);
    const pruned = await hub(["prune", "--database", url, "--state-dir", empty]);
    expect(pruned).toMatchObject({ code: 0, stdout: "removed 1 session, 2 kept\n  cron:nightly (stale)\n" });
  });

  it("transcript --follow prints the newest messages, then one appended by another backend, until stopped", async () => {
    const { empty, url } = await imported();
    const controller = new AbortController();
    const out = { stdout: "", stderr: "" };
    const io: CliIo = { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t), env: { HUB_DATABASE_URL: url }, signal: controller.signal };
    const done = main(["transcript", MAIN, "--follow", "--limit", "1", "--state-dir", empty], io);
    await until(() => out.stdout.includes("assistant: how are you") || out.stdout.includes(": how are you"), "the newest message");
    expect(out.stdout.split("\n")[0]).toBe(`${MAIN} (session s-main), following`);
    expect(out.stdout).not.toContain(": hello");
    const writer = await openPostgresBackend({ connectionString: url });
    try {
      await writer.append(MAIN, "s-main", [{ role: "user", content: "from a replica \u001b[2J" }]);
    } finally {
      await writer.close();
    }
    await until(() => out.stdout.includes("user: from a replica \\u001b[2J"), "the appended message");
    controller.abort();
    expect(await done).toBe(0);
    expect(out.stderr).toBe("");
  });

  it("sessions --watch prints the list, then a session another replica creates", async () => {
    const { empty, url } = await imported();
    const controller = new AbortController();
    const out = { stdout: "", stderr: "" };
    const io: CliIo = { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t), env: {}, now: () => NOW, signal: controller.signal };
    const done = main(["sessions", "--watch", "--database", url, "--state-dir", empty], io);
    await until(() => out.stdout.includes("Watching for changes"), "the list");
    expect(out.stdout).toMatch(/^Session store: postgres:\/\/.*\(schema session_hub\)\nKEY\n/);
    const writer = await openPostgresBackend({ connectionString: url, now: () => NOW });
    try {
      await writer.append("agent:main:telegram:dm:42", "s-new", [{ role: "user", content: "hi" }]);
    } finally {
      await writer.close();
    }
    await until(() => out.stdout.includes("new      agent:main:telegram:dm:42"), "the new session's line");
    controller.abort();
    expect(await done).toBe(0);
    expect(out.stderr).toBe("");
  });
});

describe("hub dashboard on Postgres", () => {
  it("serves the database's sessions behind the token", async () => {
    const { empty, url } = await imported();
    const controller = new AbortController();
    const out = { stdout: "", stderr: "" };
    const io: CliIo = { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t), env: { HUB_DATABASE_URL: url }, signal: controller.signal };
    const done = main(["dashboard", "--state-dir", empty], io);
    await until(() => out.stdout.endsWith("\n"), "the URL");
    const link = new URL(out.stdout.trim());
    const login = await fetch(link, { redirect: "manual" });
    expect(login.status).toBe(303);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const sessions = await fetch(new URL("/api/sessions", link), { headers: { Cookie: cookie } });
    expect(sessions.status).toBe(200);
    const body = await sessions.text();
    for (const key of Object.keys(SEEDED)) expect(body).toContain(JSON.stringify(key));
    controller.abort();
    expect(await done).toBe(0);
    expect(out.stderr).toBe("");
  });
});

describe("hub import and hub export", () => {
  it("import reports what it copied; a second run copies nothing; export writes the file back byte for byte", async () => {
    const { files, empty } = await seed();
    const url = await createDatabase("cli");
    const first = await hub(["import", files, "--database", url, "--json"]);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(first.stdout)).toEqual({
      from: files,
      to: expect.stringMatching(/\(schema session_hub\)$/),
      sessions: { imported: 4, kept: 0 },
      lines: { imported: 4, conflicts: 0 },
      gateways: { imported: 0 },
    });
    const again = await hub(["import", files, "--state-dir", empty], { env: { HUB_DATABASE_URL: url } });
    expect(again).toMatchObject({ code: 0, stderr: "" });
    expect(again.stdout.split("\n").slice(1)).toEqual(["  sessions: 0 imported, 4 already there", "  transcript lines: 0 imported", "  gateways: 0 imported", ""]);

    const out = path.join(tmp(), "out", "main.jsonl");
    await fs.mkdir(path.dirname(out));
    const exported = await hub(["export", MAIN, out, "--database", url, "--state-dir", empty, "--json"]);
    expect(exported).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(exported.stdout)).toEqual({ key: MAIN, file: out, messages: 3 });
    expect(await fs.readFile(out, "utf8")).toBe(await fs.readFile(path.join(path.dirname(storeOf(files)), "s-main.jsonl"), "utf8"));
    const none = await hub(["export", "agent:main:nope", out, "--database", url, "--state-dir", empty]);
    expect(none).toMatchObject({ code: 2, stderr: expect.stringContaining("[E_NOT_FOUND]") });
  });

  it("import of a dir without a store is E_NOT_FOUND; import and export without a database are usage errors", async () => {
    const url = await createDatabase("cli");
    const r = await hub(["import", path.join(tmp(), "nothing"), "--database", url]);
    expect(r).toMatchObject({ code: 2, stderr: `hub import: no session store at ${storeOf(path.join(tmp(), "nothing"))} [E_NOT_FOUND]\n` });
    expect((await hub(["import", tmp(), "--state-dir", tmp()])).stderr).toMatch(/^hub import: import copies into Postgres: give --database <url> or set HUB_DATABASE_URL\n/);
    expect((await hub(["export", MAIN, "x.jsonl", "--state-dir", tmp()])).code).toBe(1);
  });
});

describe("hub on Postgres: what only files have", () => {
  it("status shows the location, sessions, schema version and policy; doctor and compact are usage errors", async () => {
    const { empty, url } = await imported();
    const status = await hub(["status", "--json", "--database", url, "--state-dir", empty]);
    expect(status).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(status.stdout)).toMatchObject({
      path: expect.stringMatching(/\(schema session_hub\)$/),
      exists: true,
      count: 4,
      activeLastHour: 2,
      newest: { key: MAIN, updatedAt: NOW - 10_000, ageMs: 10_000 },
      kind: "postgres",
      schemaVersion: expect.any(Number),
      durable: false,
      policy: { dmScope: "per-channel-peer" },
    });
    const text = await hub(["status", "--database", url, "--state-dir", empty]);
    expect(text.stdout).toMatch(/^Store: {8}postgres:\/\/.* \(Postgres, schema version [0-9]+, commits not durable\)\nSessions: {5}4 \(2 active in the last hour\)\n/);
    for (const command of ["doctor", "compact"]) {
      const r = await hub([command, "--database", url, "--state-dir", empty]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^hub ${command}: ${command} works on a file store, not on Postgres`));
    }
  });

  it("a read-only command on a database without the schema is E_NOT_FOUND and creates nothing; --store with --database is a usage error", async () => {
    const url = await createDatabase("cli");
    const r = await hub(["sessions", "--database", url, "--state-dir", tmp()]);
    expect(r).toMatchObject({ code: 2, stdout: "", stderr: expect.stringMatching(/^hub sessions: no session store at postgres:\/\/.*\(schema session_hub\) .*\[E_NOT_FOUND\]\n$/) });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      expect((await client.query("SELECT to_regnamespace('session_hub') AS schema")).rows[0]).toEqual({ schema: null });
    } finally {
      await client.end();
    }
    const both = await hub(["sessions", "--database", url, "--store", path.join(tmp(), "s.json")]);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/^hub sessions: --store names a file store; it cannot be combined with --database/);
  });
});

describe("hub without pg installed", () => {
  it("works on files; --database says to install pg (E_BACKEND_UNAVAILABLE); the CLI never imports the Postgres backend statically", async () => {
    await ensureDistBuilt();
    const { files } = await seed();
    // A copy of the package whose node_modules has everything but pg.
    const pkg = path.join(tmp(), "pkg");
    await fs.cp(path.join(REPO_ROOT, "dist"), path.join(pkg, "dist"), { recursive: true });
    await fs.copyFile(path.join(REPO_ROOT, "package.json"), path.join(pkg, "package.json"));
    await fs.mkdir(path.join(pkg, "node_modules"));
    for (const name of await fs.readdir(path.join(REPO_ROOT, "node_modules"))) {
      if (name !== "pg" && name !== ".bin") await fs.symlink(path.join(REPO_ROOT, "node_modules", name), path.join(pkg, "node_modules", name));
    }
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [path.join(pkg, "dist/cli/bin.js"), ...args], { env: { PATH: process.env.PATH ?? "" } }, (error, stdout, stderr) =>
          resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr }),
        );
      });
    const onFiles = await run(["sessions", "--json", "--state-dir", files]);
    expect(onFiles).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(onFiles.stdout)).toMatchObject({ count: 4 });
    const onDb = await run(["sessions", "--state-dir", files, "--database", "postgres://hub@127.0.0.1:1/hub"]);
    expect(onDb).toMatchObject({ code: 2, stdout: "" });
    expect(onDb.stderr).toMatch(/^hub sessions: session-hub\/postgres needs the "pg" package \(node-postgres\): npm install pg .*\[E_BACKEND_UNAVAILABLE\]\n$/);
    const cli = path.join(REPO_ROOT, "dist/cli");
    for (const file of await fs.readdir(cli, { recursive: true })) {
      if (!file.endsWith(".js")) continue;
      expect(await fs.readFile(path.join(cli, file), "utf8"), file).not.toMatch(/^import [^;]*from "[./]*backend\/postgres\//m);
    }
  });
});

async function until(ready: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("hub gateways on Postgres", () => {
  it("lists the agent's registry with the same --json shape as on files", async () => {
    const url = await createDatabase("cli_gw");
    const writer = await openPostgresBackend({ connectionString: url, now: () => NOW - 5 * MINUTE });
    try {
      await writer.registerGateway({ gatewayId: "tg-main", name: "Telegram \u001b[2J", type: "telegram", config: { accountId: "bot1" } });
    } finally {
      await writer.close();
    }
    const empty = path.join(tmp(), "empty-gw");
    await fs.mkdir(empty, { recursive: true });
    const r = await hub(["gateways", "--json", "--database", url, "--state-dir", empty]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect((JSON.parse(r.stdout) as { gateways: unknown[] }).gateways).toEqual([
      { gatewayId: "tg-main", name: "Telegram \u001b[2J", channel: "telegram", accountId: "bot1", active: true, registeredAt: NOW - 5 * MINUTE, lastSeenAt: NOW - 5 * MINUTE, lastSeenAgeMs: 5 * MINUTE, removedAt: null },
    ]);
    const table = (await hub(["gateways", "--database", url, "--state-dir", empty])).stdout.split("\n");
    expect(table[2]).toBe("tg-main  telegram  bot1     5m ago  active  Telegram \\u001b[2J");
  });
});
