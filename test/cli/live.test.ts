/**
 * The long-running commands with real processes: `hub transcript --follow` and `hub sessions
 * --watch` as the built bin (a pipe: plain lines) while a child process writes, ended by a
 * real SIGINT; the terminal mode of `--watch` and `hub dashboard` through `main(argv, io)`.
 */
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openFileBackend } from "../../src/backend/file/index.js";
import { main, type CliIo } from "../../src/cli/main.js";
import { runChild } from "../backend/file/helpers.js";
import { runWriter } from "../dashboard/helpers.js";
import { REPO_ROOT, ensureDistBuilt, useTempDir } from "./helpers.js";

const tmp = useTempDir("hub-live-");
const BIN = path.relative(path.join(REPO_ROOT, "test/backend/file/children"), path.join(REPO_ROOT, "dist/cli/bin.js"));
const KEY = "agent:main:telegram:dm:111";
const OTHER = "agent:main:slack:channel:c9";

beforeAll(ensureDistBuilt, 120_000);

async function seed(stateDir: string): Promise<void> {
  const backend = openFileBackend({ stateDir, durable: false });
  await backend.append(KEY, "s-1", [{ role: "user", content: "first", meta: { senderName: "Alice" } }, { role: "assistant", content: "second" }]);
  await backend.close();
}

async function until(ready: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `main` in-process, running until `stop()`; output captured. */
function start(argv: string[], terminal?: { columns: number; rows: number }) {
  const controller = new AbortController();
  const out = { stdout: "", stderr: "" };
  const io: CliIo = {
    stdout: (text) => (out.stdout += text),
    stderr: (text) => (out.stderr += text),
    env: {},
    signal: controller.signal,
    ...(terminal ? { terminal: () => terminal } : {}),
  };
  const done = main(argv, io);
  return { out, done, stop: () => controller.abort() };
}

describe("hub transcript --follow", () => {
  it("prints the newest messages, then each new one another process appends, escaped; a reset is marked; SIGINT ends it with 0", async () => {
    await seed(tmp());
    const follow = runChild(BIN, ["transcript", KEY, "--follow", "--limit", "5", "--state-dir", tmp()]);
    await follow.waitForLine((line) => line === `${KEY} (session s-1), following`);
    await follow.waitForLine((line) => line.endsWith("assistant: second"));
    expect(follow.lines.filter((line) => line.includes(": first"))).toHaveLength(1);
    const writer = runWriter(tmp(), [{ append: KEY, text: "evil \u001b[2J\u202e text\nnext line" }]);
    expect(await writer.exited).toBe(0);
    await follow.waitForLine((line) => line.endsWith("user: evil \\u001b[2J\\u202e text"));
    await follow.waitForLine((line) => line === "    next line");
    const reset = runWriter(tmp(), [{ delete: KEY }, { append: KEY, text: "fresh start" }]);
    expect(await reset.exited).toBe(0);
    await follow.waitForLine((line) => line.endsWith("user: fresh start"));
    // The deletion is marked unless the feed saw the delete and the re-creation as one change.
    const markers = follow.lines.filter((line) => line.startsWith("---"));
    expect(markers.at(-1)).toMatch(/^--- new session s-[0-9]+-[0-9]+ ---$/);
    expect(markers.slice(0, -1).every((line) => line === "--- session deleted ---")).toBe(true);
    follow.child.kill("SIGINT");
    expect(await follow.exited).toBe(0);
    expect(follow.stderr()).toBe("");
    expect(follow.lines.join("\n")).not.toContain("\u001b");
  });

  it("waits for a session that does not exist yet, saying so on stderr", async () => {
    await seed(tmp());
    const follow = runChild(BIN, ["transcript", OTHER, "--follow", "--state-dir", tmp()]);
    await until(() => follow.stderr().includes("waiting for it"), "the waiting note");
    const writer = runWriter(tmp(), [{ append: OTHER, text: "hello channel" }]);
    expect(await writer.exited).toBe(0);
    await follow.waitForLine((line) => line.endsWith("user: hello channel"));
    follow.child.kill("SIGINT");
    expect(await follow.exited).toBe(0);
  });
  it("--json: one exact JSON object per line, messages and session changes", async () => {
    await seed(tmp());
    const run = start(["transcript", KEY, "--follow", "--json", "--state-dir", tmp()]);
    const lines = () => run.out.stdout.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Record<string, unknown>);
    await until(() => lines().length === 3, "the session line and the two messages");
    expect(lines()[0]).toEqual({ type: "session", key: KEY, sessionId: "s-1" });
    const writer = runWriter(tmp(), [{ append: KEY, text: "\u001b]0;title\u0007 exact" }]);
    expect(await writer.exited).toBe(0);
    await until(() => lines().length === 4, "the new message");
    expect(lines()[3]).toMatchObject({ type: "message", key: KEY, sessionId: "s-1", message: { role: "user", content: "\u001b]0;title\u0007 exact" } });
    expect(run.out.stdout).not.toContain("\u001b");
    run.stop();
    expect(await run.done).toBe(0);
  });
});

describe("hub sessions --watch", () => {
  it("not on a terminal: the table once, then one line per change another process makes; SIGINT ends it with 0", async () => {
    await seed(tmp());
    const watch = runChild(BIN, ["sessions", "--watch", "--state-dir", tmp()]);
    await watch.waitForLine((line) => line.startsWith("Watching for changes"));
    expect(watch.lines.some((line) => line.startsWith(KEY))).toBe(true);
    const writer = runWriter(tmp(), [{ append: OTHER, text: "hi" }, { patch: OTHER, fields: { displayName: "Eng \u001b[31mred" } }]);
    expect(await writer.exited).toBe(0);
    // Intermediate states may coalesce into one change; the final state always shows.
    await watch.waitForLine((line) => line.includes(OTHER) && line.endsWith("Eng \\u001b[31mred"));
    expect(watch.lines.find((line) => line.includes(OTHER))).toMatch(/^\S+Z  new      agent:main:slack:channel:c9  slack  -  -/);
    const remover = runWriter(tmp(), [{ delete: OTHER }]);
    expect(await remover.exited).toBe(0);
    await watch.waitForLine((line) => /^\S+Z  deleted  agent:main:slack:channel:c9$/.test(line));
    const lines = watch.lines.filter((line) => line.includes(OTHER));
    expect(lines.join("\n")).not.toContain("\u001b");
    watch.child.kill("SIGINT");
    expect(await watch.exited).toBe(0);
    expect(watch.stderr()).toBe("");
  });

  it("on a terminal: redraws the table in an alternate screen, restored when it ends", async () => {
    await seed(tmp());
    const run = start(["sessions", "--watch", "--state-dir", tmp()], { columns: 100, rows: 30 });
    await until(() => run.out.stdout.includes(KEY), "the first table");
    expect(run.out.stdout.startsWith("\u001b[?1049h")).toBe(true);
    const writer = runWriter(tmp(), [{ append: OTHER, text: "hi" }]);
    expect(await writer.exited).toBe(0);
    const lastFrame = () => run.out.stdout.slice(run.out.stdout.lastIndexOf("\u001b[H\u001b[2J"));
    await until(() => lastFrame().includes(OTHER) && lastFrame().includes(KEY), "a redraw with the new session");
    expect(lastFrame()).toContain("Sessions: 2 · live");
    run.stop();
    expect(await run.done).toBe(0);
    expect(run.out.stdout.endsWith("\u001b[?25h\u001b[?1049l")).toBe(true);
    expect(run.out.stderr).toBe("");
  });

  it("refuses --json and --all-agents with --watch", async () => {
    await seed(tmp());
    for (const flag of ["--json", "--all-agents"]) {
      const run = start(["sessions", "--watch", flag, "--state-dir", tmp()]);
      expect(await run.done).toBe(1);
      expect(run.out.stderr).toContain(`${flag} cannot be combined with --watch`);
    }
  });
});

describe("hub dashboard", () => {
  it("prints exactly one line, the loopback URL with the token, serves it, and ends with 0", async () => {
    await seed(tmp());
    const run = start(["dashboard", "--state-dir", tmp()]);
    await until(() => run.out.stdout.endsWith("\n"), "the URL");
    expect(run.out.stdout).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+\/\?token=[A-Za-z0-9_-]{43}\n$/);
    const reply = await fetch(run.out.stdout.trim(), { redirect: "manual" });
    expect(reply.status).toBe(303);
    expect(reply.headers.get("set-cookie")).toContain("HttpOnly; SameSite=Strict");
    run.stop();
    expect(await run.done).toBe(0);
    expect(run.out.stderr).toBe("");
    expect(run.out.stdout.split("\n")).toHaveLength(2);
  });

  it("warns on stderr when --host is not loopback; rejects a bad --port", async () => {
    await seed(tmp());
    const run = start(["dashboard", "--host", "0.0.0.0", "--state-dir", tmp()]);
    await until(() => run.out.stdout.endsWith("\n"), "the URL");
    expect(run.out.stdout).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+\/\?token=/);
    expect(run.out.stderr).toContain("hub dashboard: warning: listening on 0.0.0.0, not loopback");
    run.stop();
    expect(await run.done).toBe(0);
    const bad = start(["dashboard", "--port", "70000", "--state-dir", tmp()]);
    expect(await bad.done).toBe(1);
    expect(bad.out.stderr).toContain('--port must be a port number from 0 to 65535, got "70000"');
  });
});
