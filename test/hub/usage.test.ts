/**
 * Issue 14 item 2: a reply carries the run's model, provider and token usage; the entry keeps
 * them as clawdbot does, the transcript line as the pi runtime does, and `hub sessions` shows
 * them.
 */
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { processed, readStoreFile, transcriptMessages, useHub } from "./helpers.js";

const t = useHub("2026-11-20T12:00:00Z");
const dm = { channel: "telegram", chatType: "direct", peerId: "111", senderName: "Alice" } as const;
const KEY = "agent:main:telegram:dm:111";

async function cli(argv: string[], now: number): Promise<string> {
  let stdout = "";
  const code = await main(argv, { stdout: (text) => (stdout += text), stderr: () => undefined, env: {}, now: () => now, progress: false });
  expect(code).toBe(0);
  return stdout;
}

describe("reply with model and usage", () => {
  it("stores them on the entry (clawdbot's fields) and the line (the runtime's shape); hub sessions shows them", async () => {
    const hub = await t.open();
    const inbound = processed(await hub.receive({ ...dm, text: "hi" }));
    const usage = { input: 1200, output: 80, context: 400_000 };
    const r = await hub.reply(KEY, { text: "hello", model: "gpt-5", provider: "openai", usage });
    expect(r.message).toMatchObject({ role: "assistant", provider: "openai", model: "gpt-5", usage: { input: 1200, output: 80, totalTokens: 1280 } });
    const stored = (await readStoreFile(t.dir()))[KEY];
    expect(stored).toMatchObject({ model: "gpt-5", modelProvider: "openai", inputTokens: 1200, outputTokens: 80, totalTokens: 1280, contextTokens: 400_000 });
    const [, line] = await transcriptMessages(t.dir(), inbound.sessionId);
    expect(line?.message).toMatchObject({ role: "assistant", provider: "openai", model: "gpt-5", usage: { input: 1200, output: 80, totalTokens: 1280 } });

    // The next run's figures replace these (clawdbot keeps the last run's, not a sum); a reply without them leaves them.
    await hub.reply(KEY, { text: "more", usage: { input: 1500, output: 20, total: 1600 } });
    await hub.reply(KEY, { text: "plain" });
    expect(await hub.session(KEY)).toMatchObject({ model: "gpt-5", inputTokens: 1500, outputTokens: 20, totalTokens: 1600, contextTokens: 400_000 });

    const json = JSON.parse(await cli(["sessions", "--json", "--state-dir", t.dir()], t.clock().at)) as { sessions: Array<Record<string, unknown>> };
    expect(json.sessions[0]).toMatchObject({ key: KEY, model: "gpt-5", inputTokens: 1500, outputTokens: 20, totalTokens: 1600, contextTokens: 400_000 });
    const table = await cli(["sessions", "--state-dir", t.dir()], t.clock().at);
    expect(table).toContain("gpt-5");
    expect(table).toMatch(/1\.6k\/400k/);
  });

  it.each([
    [{ usage: { input: -1, output: 0 } }, "reply.usage.input must be a whole number of tokens >= 0, got -1"],
    [{ usage: { input: 1, output: 1.5 } }, "reply.usage.output must be a whole number of tokens >= 0, got 1.5"],
    [{ usage: { input: 1, output: 1, context: "big" } }, 'reply.usage.context must be a whole number of tokens >= 0, got "big"'],
    [{ usage: "lots" }, 'reply.usage must be an object, got "lots"'],
    [{ model: " " }, 'reply.model must be a non-empty string of at most 200 characters, got " "'],
    [{ provider: 7 }, "reply.provider must be a non-empty string of at most 200 characters, got 7"],
  ])("rejects %j with E_INVALID_ARGUMENT and writes nothing", async (extra, message) => {
    const hub = await t.open();
    const inbound = processed(await hub.receive({ ...dm, text: "hi" }));
    await expect(hub.reply(KEY, { text: "x", ...(extra as object) })).rejects.toMatchObject({ code: "E_INVALID_ARGUMENT", message });
    expect(await transcriptMessages(t.dir(), inbound.sessionId)).toHaveLength(1);
  });
});
