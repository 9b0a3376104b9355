/**
 * examples/telegram-gateway (issue 14 item 9): the example server, started as a real child
 * process on a free port, answers Telegram-shaped updates sent with real HTTP requests; a
 * redelivered update_id runs no turn; /new starts a new session; the transcript and
 * `hub sessions --json` show the turns with their model and tokens.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeAll, expect, it } from "vitest";
import { createHub } from "../../src/hub.js";
import { REPO_ROOT, ensureDistBuilt, useTempDir } from "../support.js";

const SERVER = path.join(REPO_ROOT, "examples", "telegram-gateway", "server.mjs");
const BIN = path.join(REPO_ROOT, "dist", "cli", "bin.js");
const KEY = "agent:main:telegram:dm:111";
const tmp = useTempDir("hub-tg-");
let server: ChildProcess | undefined;

beforeAll(async () => {
  await ensureDistBuilt();
}, 120_000);

afterEach(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
  server = undefined;
});

/** Starts the server on a free port; resolves with its base URL. */
function start(stateDir: string): Promise<string> {
  const child = spawn(process.execPath, [SERVER], { cwd: REPO_ROOT, env: { ...process.env, PORT: "0", HUB_STATE_DIR: stateDir }, stdio: ["ignore", "pipe", "pipe"] });
  server = child;
  let out = "";
  let err = "";
  return new Promise((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url !== undefined) resolve(url);
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code}) before listening:\n${out}\n${err}`)));
  });
}

function update(updateId: number, text: string) {
  return {
    update_id: updateId,
    message: { message_id: updateId, date: Math.floor(Date.now() / 1000), text, chat: { id: 111, type: "private" }, from: { id: 111, first_name: "Ada" } },
  };
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${url}/telegram/webhook`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

it("answers updates over HTTP, de-duplicates a redelivery, resets on /new, and records usage", async () => {
  const stateDir = tmp();
  const url = await start(stateDir);
  expect(await post(url, update(1001, "hello"))).toEqual({ status: 200, json: { method: "sendMessage", chat_id: 111, text: "echo: hello" } });
  // Telegram redelivers an update it did not see acknowledged: same update_id, no new turn.
  expect(await post(url, update(1001, "hello"))).toEqual({ status: 200, json: { ok: true, status: "duplicate" } });
  expect(await post(url, update(1002, "/new"))).toEqual({ status: 200, json: { method: "sendMessage", chat_id: 111, text: "New session started. Say something!" } });
  expect(await post(url, update(1003, "how are you today"))).toEqual({ status: 200, json: { method: "sendMessage", chat_id: 111, text: "echo: how are you today" } });
  // Hostile input: refused, never run.
  expect((await post(url, { update_id: "x" })).status).toBe(400);
  expect(await post(url, { update_id: 1004, edited_message: {} })).toEqual({ status: 200, json: { ok: true, ignored: "not a new message" } });

  const hub = await createHub({ stateDir, durable: false });
  try {
    const entry = await hub.session(KEY);
    const current = (await hub.history(KEY)).messages.map((m) => [m.role, m.content]);
    expect(current).toEqual([
      ["user", "/new"],
      ["assistant", "New session started. Say something!"],
      ["user", "how are you today"],
      ["assistant", "echo: how are you today"],
    ]);
    expect(entry?.previousSessionIds).toHaveLength(1);
  } finally {
    await hub.close();
  }

  const { stdout } = await promisify(execFile)(process.execPath, [BIN, "sessions", "--json", "--state-dir", stateDir]);
  const { sessions } = JSON.parse(stdout) as { sessions: Array<Record<string, unknown>> };
  const row = sessions.find((r) => r.key === KEY);
  expect(row).toMatchObject({ model: "echo-1", inputTokens: 4, outputTokens: 5, totalTokens: 9, contextTokens: 8192 });
});
