import fc from "fast-check";
import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SessionStore } from "../../../../src/backend/file/store/session-store.js";
import { appendMessage } from "../../../../src/backend/file/transcripts/transcript-append.js";
import { messageLine, prepareMessage, type StoredMessage } from "../../../../src/backend/shared/transcript-format.js";
import { readMessages } from "../../../../src/backend/file/transcripts/transcript-read.js";
import { FIXTURE_TRANSCRIPT, openTestStore } from "../fixtures-transcripts.js";
import { useTempDir, errorCodeOf } from "../helpers.js";

const tmp = useTempDir("hub-read-");
const KEY = "agent:main:telegram:dm:111";


afterEach(() => {
  vi.restoreAllMocks();
});

/** Writes a transcript by hand: the header, then the given lines. */
async function seed(store: SessionStore, sessionId: string, lines: string[]): Promise<string> {
  await store.update(KEY, { sessionId, updatedAt: 1, sessionFile: `${sessionId}.jsonl` });
  const file = path.join(store.dir, `${sessionId}.jsonl`);
  const header = JSON.stringify({ type: "session", version: 3, id: sessionId, timestamp: new Date(0).toISOString(), cwd: "" });
  await fs.writeFile(file, `${[header, ...lines].join("\n")}\n`);
  return file;
}

function line(id: string, parentId: string | null, text: string, threadId?: string): string {
  return messageLine(id, parentId, prepareMessage({ role: "user", content: text, timestamp: 1, ...(threadId ? { meta: { threadId } } : {}) }, 1));
}

describe("readMessages", () => {
  it("reads the runtime's transcript: its four messages, other line types skipped, extra fields kept", async () => {
    const store = openTestStore(tmp());
    await store.update(KEY, { sessionId: "01a1fda7-9554-71f2-86da-d8e79becab42", updatedAt: 1 });
    await fs.copyFile(FIXTURE_TRANSCRIPT, path.join(store.dir, "01a1fda7-9554-71f2-86da-d8e79becab42.jsonl"));
    const { messages, before, after } = await readMessages(store, KEY);
    expect(messages).toEqual([
      { id: "c2768bce", parentId: "20bc72f3", role: "user", content: "Can you summarize yesterday's standup?", timestamp: 1795165200000 },
      {
        id: "143db6a0",
        parentId: "c2768bce",
        role: "assistant",
        content: [{ type: "text", text: "Sure: the team shipped the login fix and is blocked on the API keys." }],
        api: "openai-responses",
        provider: "openai",
        model: "gpt-5",
        usage: { input: 120, output: 40, cacheRead: 0, cacheWrite: 0, totalTokens: 160, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } },
        stopReason: "stop",
        timestamp: 1795165202000,
      },
      { id: "d970d32c", parentId: "d05200f4", role: "user", content: [{ type: "text", text: "Thanks! Remind me at 5pm." }], timestamp: 1795165260000 },
      expect.objectContaining({ id: "164b7727", parentId: "d970d32c", role: "assistant", model: "claude-sonnet", stopReason: "stop", timestamp: 1795165262000 }),
    ]);
    expect([before, after]).toEqual([undefined, undefined]);
  });

  it("returns no messages for an unknown session, and an empty page with a tail cursor for one without a transcript", async () => {
    const store = openTestStore(tmp());
    expect(await readMessages(store, KEY)).toEqual({ messages: [] });
    await store.update(KEY, { sessionId: "s", updatedAt: 1 });
    const page = await readMessages(store, KEY);
    expect(page.messages).toEqual([]);
    expect(page.tail).toEqual(expect.any(String));
    const m = await appendMessage(store, KEY, { role: "user", content: "first" });
    expect((await readMessages(store, KEY, { after: page.tail })).messages.map((x) => x.id)).toEqual([m.id]);
  });

  it("pages newest first with before, and forward again with after", async () => {
    const store = openTestStore(tmp());
    const ids = Array.from({ length: 7 }, (_, i) => `m${i}`);
    await seed(store, "s", ids.map((id, i) => line(id, i === 0 ? null : `m${i - 1}`, id)));
    const newest = await readMessages(store, KEY, { limit: 3 });
    expect(newest.messages.map((m) => m.id)).toEqual(["m4", "m5", "m6"]);
    expect(newest.after).toBeUndefined();
    const middle = await readMessages(store, KEY, { limit: 3, before: newest.before });
    expect(middle.messages.map((m) => m.id)).toEqual(["m1", "m2", "m3"]);
    const oldest = await readMessages(store, KEY, { limit: 3, before: middle.before });
    expect(oldest.messages.map((m) => m.id)).toEqual(["m0"]);
    expect(oldest.before).toBeUndefined();
    const forward = await readMessages(store, KEY, { limit: 4, after: oldest.after });
    expect(forward.messages.map((m) => m.id)).toEqual(["m1", "m2", "m3", "m4"]);
    const last = await readMessages(store, KEY, { limit: 4, after: forward.after });
    expect(last.messages.map((m) => m.id)).toEqual(["m5", "m6"]);
    expect(last.after).toBeUndefined();
    expect(last.before).toEqual(expect.any(String));
  });

  it("filters by meta.threadId, compared as strings", async () => {
    const store = openTestStore(tmp());
    await seed(store, "s", [line("a", null, "a", "7"), line("b", "a", "b"), line("c", "b", "c", "8"), line("d", "c", "d", "7")]);
    expect((await readMessages(store, KEY, { threadId: 7 })).messages.map((m) => m.id)).toEqual(["a", "d"]);
    const page = await readMessages(store, KEY, { threadId: "7", limit: 1 });
    expect(page.messages.map((m) => m.id)).toEqual(["d"]);
    expect((await readMessages(store, KEY, { threadId: "7", limit: 1, before: page.before })).messages.map((m) => m.id)).toEqual(["a"]);
    expect((await readMessages(store, KEY, { threadId: "nope" })).messages).toEqual([]);
  });

  it("skips malformed lines anywhere, blank lines and other entry types", async () => {
    const store = openTestStore(tmp());
    await seed(store, "s", [line("a", null, "a"), "garbage", "", '{"type":"custom","id":"x"}', "[1,2]", '{"type":"message","id":"bad"}', line("b", "x", "b"), '{"type":"mess']);
    expect((await readMessages(store, KEY)).messages.map((m) => m.id)).toEqual(["a", "b"]);
    expect((await readMessages(store, KEY, { limit: 1 })).messages.map((m) => m.id)).toEqual(["b"]);
  });

  it("reads lines longer than a chunk, with multi-byte characters across chunk boundaries", async () => {
    const store = openTestStore(tmp());
    const big = "é🙂".repeat(40_000);
    await appendMessage(store, KEY, { role: "user", content: "small" });
    const long = await appendMessage(store, KEY, { role: "assistant", content: big });
    await appendMessage(store, KEY, { role: "user", content: "after" });
    const all = await readMessages(store, KEY);
    expect(all.messages.map((m) => m.content)).toEqual(["small", big, "after"]);
    const newest = await readMessages(store, KEY, { limit: 1 });
    const back = await readMessages(store, KEY, { limit: 1, before: newest.before });
    expect(back.messages[0]?.id).toBe(long.id);
    const forward = await readMessages(store, KEY, { limit: 1, after: (await readMessages(store, KEY, { limit: 1, before: back.before })).after });
    expect(forward.messages[0]?.content).toBe(big);
  });

  it("reads the newest page from the end of the file without reading the whole file", async () => {
    const store = openTestStore(tmp());
    const lines = Array.from({ length: 20_000 }, (_, i) => line(`m${i}`, i === 0 ? null : `m${i - 1}`, `message number ${i}`));
    const file = await seed(store, "s", lines);
    const size = (await fs.stat(file)).size;
    const probe = await fs.open(file, "r");
    const reads = vi.spyOn(Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }> }, "read");
    await probe.close();
    const page = await readMessages(store, KEY, { limit: 20 });
    expect(page.messages.map((m) => m.id)).toEqual(Array.from({ length: 20 }, (_, i) => `m${19_980 + i}`));
    const bytesRead = (await Promise.all(reads.mock.results.map((r) => r.value as Promise<{ bytesRead: number }>))).reduce((sum, r) => sum + r.bytesRead, 0);
    expect(size).toBeGreaterThan(1_000_000);
    expect(bytesRead).toBeLessThan(64 * 1024);
  });

  it("gives a tail cursor for polling what is appended later", async () => {
    const store = openTestStore(tmp());
    await appendMessage(store, KEY, { role: "user", content: "one" });
    const page = await readMessages(store, KEY);
    expect(page.after).toBeUndefined();
    expect((await readMessages(store, KEY, { after: page.tail })).messages).toEqual([]);
    const two = await appendMessage(store, KEY, { role: "assistant", content: "two" });
    const three = await appendMessage(store, KEY, { role: "user", content: "three" });
    expect((await readMessages(store, KEY, { after: page.tail })).messages.map((m) => m.id)).toEqual([two.id, three.id]);
  });

  it("validates its options and cursors", async () => {
    const store = openTestStore(tmp());
    await appendMessage(store, KEY, { role: "user", content: "x" });
    for (const options of [{ limit: 0 }, { limit: 1.5 }, { limit: "5" }, { threadId: {} }, { before: "x", after: "y" }, { before: "garbage" }, { after: 12 }]) {
      expect(await errorCodeOf(readMessages(store, KEY, options as never))).toBe("E_INVALID_ARGUMENT");
    }
    const { tail } = await readMessages(store, KEY);
    await store.update(KEY, { sessionId: "reset-id", sessionFile: undefined });
    expect(await errorCodeOf(readMessages(store, KEY, { after: tail }))).toBe("E_INVALID_ARGUMENT");
  });
});

describe("pagination property", () => {
  it("cursors visit every message exactly once, in order, in both directions, while messages are appended", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ thread: fc.constantFrom("t1", "t2", undefined), noise: fc.constantFrom("", "garbage", '{"type":"model_change","id":"mc"}') }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom(undefined, "t1"),
        async (specs, back, forth, threadId) => {
          const store = openTestStore(path.join(tmp(), `run-${run++}`));
          const lines = specs.flatMap((spec, i) => [line(`m${i}`, null, `m${i}`, spec.thread), ...(spec.noise ? [spec.noise] : [])]);
          await seed(store, "s", lines);
          const expected = specs.flatMap((spec, i) => (threadId === undefined || spec.thread === threadId ? [`m${i}`] : []));
          // Backward from the newest page; a message appended meanwhile is not on the way back.
          let page = await readMessages(store, KEY, { limit: back, threadId });
          const seen: StoredMessage[] = [...page.messages];
          await appendMessage(store, KEY, { role: "user", content: "late", meta: { threadId: "t1" } });
          while (page.before !== undefined) {
            page = await readMessages(store, KEY, { limit: back, threadId, before: page.before });
            seen.unshift(...page.messages);
          }
          expect(seen.map((m) => m.id)).toEqual(expected);
          // Forward from the oldest page, to the end (now including the late message).
          const forward: StoredMessage[] = [...page.messages];
          // The oldest page may also have been the newest one: then its tail leads on.
          let next = page.after ?? page.tail;
          while (next !== undefined) {
            const p = await readMessages(store, KEY, { limit: forth, threadId, after: next });
            forward.push(...p.messages);
            next = p.after;
          }
          expect(forward.map((m) => (m.content === "late" ? "late" : m.id))).toEqual([...expected, "late"]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
