/**
 * `hub transcript <key> [--limit N] [--json]` through `main(argv, io)`, on transcripts the hub
 * wrote and on one written by clawdbot's agent runtime.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createHub } from "../../src/hub.js";
import { FIXTURES_DIR, NOW, hub, storeOf, useTempDir, writeJson } from "./helpers.js";

const tmp = useTempDir();
const KEY = "agent:main:telegram:dm:111";

/** A session with three user messages, a reply and a denied reply, one minute apart. */
async function seed(): Promise<string> {
  let clock = NOW - 10 * 60_000;
  const gateway = await createHub({ stateDir: tmp(), now: () => clock, durable: false, config: { session: { sendPolicy: { default: "deny" } } } });
  const from = { channel: "telegram", chatType: "direct", peerId: "111", senderName: "Alice" } as const;
  await gateway.receive({ ...from, text: "one" });
  clock += 60_000;
  await gateway.receive({ ...from, text: "two\nlines" });
  clock += 60_000;
  await gateway.store.update(KEY, { sendPolicy: "allow" });
  await gateway.reply(KEY, { text: "answer" });
  clock += 60_000;
  await gateway.store.update(KEY, { sendPolicy: undefined });
  await gateway.reply(KEY, { text: "held back" });
  const entry = await gateway.session(KEY);
  await gateway.close();
  return entry?.sessionId ?? "";
}

describe("hub transcript", () => {
  it("prints the newest messages oldest first, with senders and [not sent] for suppressed replies", async () => {
    const sessionId = await seed();
    const r = await hub(["transcript", KEY, "--state-dir", tmp()]);
    expect(r).toEqual({
      code: 0,
      stderr: "",
      stdout: [
        `${KEY} (session ${sessionId})`,
        "2026-11-20T11:50:00.000Z  Alice: one",
        "2026-11-20T11:51:00.000Z  Alice: two",
        "    lines",
        "2026-11-20T11:52:00.000Z  assistant: answer",
        "2026-11-20T11:53:00.000Z  assistant [not sent]: held back",
        "",
      ].join("\n"),
    });
  });

  it("--limit N --json: the newest N, and whether more exist", async () => {
    const sessionId = await seed();
    const r = await hub(["transcript", KEY, "--limit", "2", "--json", "--state-dir", tmp()]);
    expect(r.code).toBe(0);
    const payload = JSON.parse(r.stdout) as { key: string; sessionId: string; count: number; more: boolean; messages: Array<Record<string, unknown>> };
    expect(payload).toMatchObject({ key: KEY, sessionId, count: 2, more: true });
    expect(payload.messages.map((m) => [m.role, m.content])).toEqual([
      ["assistant", "answer"],
      ["assistant", "held back"],
    ]);
    expect(payload.messages[1]).toMatchObject({ meta: { suppressed: true }, timestamp: NOW - 7 * 60_000 });
    const all = JSON.parse((await hub(["transcript", KEY, "--limit", "10", "--json", "--state-dir", tmp()])).stdout) as { count: number; more: boolean };
    expect(all).toMatchObject({ count: 4, more: false });
    const text = await hub(["transcript", KEY, "--limit", "1", "--state-dir", tmp()]);
    expect(text.stdout.split("\n")[0]).toBe(`${KEY} (session ${sessionId}), newest 1`);
  });

  it.each([["0"], ["-1"], ["two"], ["2.5"]])("--limit %s is a usage error", async (limit) => {
    await seed();
    const r = await hub(["transcript", KEY, `--limit=${limit}`, "--state-dir", tmp()]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe(`hub transcript: --limit must be a positive integer, got "${limit}"`);
  });

  it("an unknown session exits 2; a missing key or two keys are usage errors", async () => {
    await writeJson(storeOf(tmp()), {});
    expect(await hub(["transcript", "agent:main:nope", "--state-dir", tmp()])).toEqual({
      code: 2,
      stdout: "",
      stderr: `hub transcript: no session "agent:main:nope" in ${storeOf(tmp())}\n`,
    });
    expect((await hub(["transcript", "--state-dir", tmp()])).stderr.split("\n")[0]).toBe("hub transcript: transcript takes exactly one <key>");
    expect((await hub(["transcript", "a", "b", "--state-dir", tmp()])).code).toBe(1);
  });

  it("reads a transcript written by clawdbot's agent runtime, next to a clawdbot store", async () => {
    const dir = path.join(tmp(), "clawdbot");
    const sessionId = "01a1fda7-9554-71f2-86da-d8e79becab42";
    await fs.mkdir(dir);
    await fs.copyFile(path.join(FIXTURES_DIR, "pi-transcript.jsonl"), path.join(dir, `${sessionId}.jsonl`));
    await writeJson(path.join(dir, "sessions.json"), { "agent:main:main": { sessionId, updatedAt: 1795165262000, sessionFile: path.join(dir, `${sessionId}.jsonl`) } });
    const r = await hub(["transcript", "agent:main:main", "--store", path.join(dir, "sessions.json")]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").slice(1, -1)).toEqual([
      "2026-11-20T09:00:00.000Z  user: Can you summarize yesterday's standup?",
      "2026-11-20T09:00:02.000Z  assistant: Sure: the team shipped the login fix and is blocked on the API keys.",
      "2026-11-20T09:01:00.000Z  user: Thanks! Remind me at 5pm.",
      "2026-11-20T09:01:02.000Z  assistant: Done — reminder set for 17:00.",
    ]);
  });
});
