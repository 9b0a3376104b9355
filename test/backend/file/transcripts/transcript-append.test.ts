import { SessionManager } from "@mariozechner/pi-coding-agent";
import fsSync from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { diagnose } from "../../../../src/backend/file/doctor/doctor.js";
import { processSyncPolicy } from "../../../../src/backend/file/fs/datasync.js";
import { appendMessage } from "../../../../src/backend/file/transcripts/transcript-append.js";
import { readMessages } from "../../../../src/backend/file/transcripts/transcript-read.js";
import { FIXTURE_TRANSCRIPT, openTestStore, readJsonLines, runTogether, transcriptOf } from "../fixtures-transcripts.js";
import { useTempDir, errorCodeOf, ensureDistBuilt } from "../helpers.js";

const tmp = useTempDir("hub-transcript-");
const KEY = "agent:main:telegram:dm:111";


afterEach(() => {
  vi.restoreAllMocks();
});

describe("appendMessage", () => {
  it("creates the entry and the transcript, records sessionFile, moves updatedAt to the message time", async () => {
    const store = openTestStore(tmp(), { now: () => 1_000 });
    const stored = await appendMessage(store, KEY, { role: "user", content: "hello", timestamp: 5_000, meta: { channel: "telegram", senderId: "111" } });
    expect(stored).toEqual({ id: stored.id, parentId: null, role: "user", content: "hello", timestamp: 5_000, meta: { channel: "telegram", senderId: "111" } });
    expect(stored.id).toMatch(/^[0-9a-f]{16}$/);
    const entry = await store.get(KEY);
    expect(entry?.sessionFile).toBe(`${entry?.sessionId}.jsonl`);
    expect(entry?.updatedAt).toBe(5_000);
    const file = await transcriptOf(store, KEY);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    const [header, line] = await readJsonLines(file);
    expect(header).toEqual({ type: "session", version: 3, id: entry?.sessionId, timestamp: new Date(1_000).toISOString(), cwd: "", sessionKey: KEY });
    expect(line).toEqual({
      type: "message",
      id: stored.id,
      parentId: null,
      timestamp: new Date(1_000).toISOString(),
      message: { role: "user", content: "hello", timestamp: 5_000 },
      meta: { channel: "telegram", senderId: "111" },
    });
  });

  it("chains every message to the one before, and never moves updatedAt backwards", async () => {
    let now = 10_000;
    const store = openTestStore(tmp(), { now: () => now });
    const first = await appendMessage(store, KEY, { role: "user", content: "one" });
    now = 20_000;
    const second = await appendMessage(store, KEY, { role: "assistant", content: [{ type: "text", text: "two" }] });
    const third = await appendMessage(store, KEY, { role: "user", content: "late", timestamp: 15_000 });
    expect([first.parentId, second.parentId, third.parentId]).toEqual([null, first.id, second.id]);
    expect(first.timestamp).toBe(10_000);
    expect((await store.get(KEY))?.updatedAt).toBe(20_000);
  });

  it("keeps an existing entry's sessionId and other fields", async () => {
    const store = openTestStore(tmp());
    await store.update(KEY, { sessionId: "sess-1", updatedAt: 1, label: "kept" });
    await appendMessage(store, KEY, { role: "user", content: "x", timestamp: 2 });
    expect(await store.get(KEY)).toEqual({ sessionId: "sess-1", updatedAt: 2, label: "kept", sessionFile: "sess-1.jsonl" });
  });

  it("writes a Telegram forum topic to <sessionId>-topic-<t>.jsonl", async () => {
    const store = openTestStore(tmp());
    const key = "agent:main:telegram:group:-1001234567890:topic:99";
    await store.update(key, { sessionId: "grp", updatedAt: 1 });
    await appendMessage(store, key, { role: "user", content: "in topic" });
    expect((await store.get(key))?.sessionFile).toBe("grp-topic-99.jsonl");
    expect(await readJsonLines(path.join(store.dir, "grp-topic-99.jsonl"))).toHaveLength(2);
  });

  it("batches appends queued together into one write with one fsync when durable", async () => {
    const store = openTestStore(tmp(), { durable: true });
    const first = await appendMessage(store, KEY, { role: "user", content: "first" });
    const probe = await fs.open(path.join(tmp(), "probe"), "w");
    const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void>; write: (...args: unknown[]) => Promise<unknown> };
    await probe.close();
    // An append goes through a FileHandle (the general path) or a plain fd (the fast path, append-tail.ts): both are counted.
    const syncs = [vi.spyOn(proto, "datasync"), vi.spyOn(fsSync, "fdatasync"), vi.spyOn(fsSync, "fdatasyncSync")];
    const writes = [vi.spyOn(proto, "write"), vi.spyOn(fsSync, "writeSync")];
    const stored = await Promise.all(Array.from({ length: 30 }, (_, i) => appendMessage(store, KEY, { role: "user", content: `m${i}` })));
    expect(syncs.reduce((n, spy) => n + spy.mock.calls.length, 0)).toBe(1);
    // The clock journal writes through a plain fd too: count the transcript's.
    expect(writes.flatMap((spy) => spy.mock.calls).filter((args) => args.some((a) => Buffer.isBuffer(a) && a.includes('"parentId"')))).toHaveLength(1);
    expect(stored.map((m) => m.content)).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`));
    stored.forEach((m, i) => expect(m.parentId).toBe(i === 0 ? first.id : stored[i - 1]?.id));
    const lines = await readJsonLines(await transcriptOf(store, KEY));
    expect(lines.slice(2).map((l) => (l.message as { content: string }).content)).toEqual(stored.map((m) => m.content));
  });

  it("does not fsync when the store is not durable", async () => {
    const store = openTestStore(tmp(), { durable: false });
    const probe = await fs.open(path.join(tmp(), "probe"), "w");
    const syncs = vi.spyOn(Object.getPrototypeOf(probe) as { datasync: () => Promise<void> }, "datasync");
    const fdSyncs = [vi.spyOn(fsSync, "fdatasync"), vi.spyOn(fsSync, "fdatasyncSync")];
    await probe.close();
    await appendMessage(store, KEY, { role: "user", content: "x" });
    await appendMessage(store, KEY, { role: "user", content: "y" });
    expect(syncs).not.toHaveBeenCalled();
    for (const spy of fdSyncs) expect(spy).not.toHaveBeenCalled();
  });

  it("syncs an append alone in the process on the event loop, and in the thread pool while others are under way or with syncOnLoop: false", async () => {
    const store = openTestStore(tmp(), { durable: true });
    const other = "agent:main:telegram:dm:222";
    // The first append of a transcript reads its tail (the general path); later ones are counted.
    await Promise.all([appendMessage(store, KEY, { role: "user", content: "a" }), appendMessage(store, other, { role: "user", content: "b" })]);
    const blocking = vi.spyOn(fsSync, "fdatasyncSync");
    const pooled = vi.spyOn(fsSync, "fdatasync");
    processSyncPolicy.reset(); // a slow sync of an earlier test (a loaded machine) would send this one to the pool
    await appendMessage(store, KEY, { role: "user", content: "alone" });
    expect([blocking.mock.calls.length, pooled.mock.calls.length]).toEqual([1, 0]);
    // Two conversations at once: the first to write sees the second under way.
    await Promise.all([appendMessage(store, KEY, { role: "user", content: "c" }), appendMessage(store, other, { role: "user", content: "d" })]);
    expect(pooled.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(blocking.mock.calls.length + pooled.mock.calls.length).toBe(3);

    const never = openTestStore(path.join(tmp(), "never"), { durable: true, syncOnLoop: false });
    await appendMessage(never, KEY, { role: "user", content: "a" });
    blocking.mockClear();
    pooled.mockClear();
    await appendMessage(never, KEY, { role: "user", content: "b" });
    expect([blocking.mock.calls.length, pooled.mock.calls.length]).toEqual([0, 1]);
    expect((await readMessages(never, KEY)).messages.map((m) => m.content)).toEqual(["a", "b"]);
  });

  it("rejects invalid messages and keys before touching anything", async () => {
    const store = openTestStore(tmp());
    expect(await errorCodeOf(appendMessage(store, KEY, { role: "user", content: 5 } as never))).toBe("E_INVALID_ARGUMENT");
    expect(await errorCodeOf(appendMessage(store, "  ", { role: "user", content: "x" }))).toBe("E_INVALID_KEY");
    expect(await store.list()).toEqual([]);
  });
});

describe("torn tail", () => {
  it("skips half a line on read, terminates it before the next append, and the chain continues", async () => {
    const store = openTestStore(tmp());
    const a = await appendMessage(store, KEY, { role: "user", content: "a" });
    const b = await appendMessage(store, KEY, { role: "assistant", content: "b" });
    const file = await transcriptOf(store, KEY);
    await fs.appendFile(file, '{"type":"message","id":"torn","parentId":"x","timest');
    expect((await readMessages(store, KEY)).messages.map((m) => m.id)).toEqual([a.id, b.id]);
    const c = await appendMessage(store, KEY, { role: "user", content: "c" });
    expect(c.parentId).toBe(b.id);
    const text = await fs.readFile(file, "utf8");
    expect(text.split("\n")[3]).toBe('{"type":"message","id":"torn","parentId":"x","timest');
    expect(JSON.parse(text.split("\n")[4] ?? "")).toMatchObject({ id: c.id, parentId: b.id });
    expect((await readMessages(store, KEY)).messages.map((m) => m.id)).toEqual([a.id, b.id, c.id]);
    expect(SessionManager.open(file).buildSessionContext().messages.map((m) => (m as { content: unknown }).content)).toEqual(["a", "b", "c"]);
  });

  it("restarts a transcript whose header itself was torn", async () => {
    const store = openTestStore(tmp());
    await store.update(KEY, { sessionId: "s1", updatedAt: 1 });
    await fs.writeFile(path.join(store.dir, "s1.jsonl"), '{"type":"session","vers');
    const m = await appendMessage(store, KEY, { role: "user", content: "x" });
    const lines = await readJsonLines(path.join(store.dir, "s1.jsonl"));
    expect(lines.map((l) => l.type)).toEqual(["session", "message"]);
    expect(m.parentId).toBeNull();
  });

  it("keeps a transcript that is one unterminated garbage line as <file>.corrupt.<time>, then starts it afresh", async () => {
    const now = Date.UTC(2026, 10, 21, 10, 37, 0, 123);
    const store = openTestStore(tmp(), { now: () => now });
    await store.update(KEY, { sessionId: "s1", updatedAt: 1 });
    const file = path.join(store.dir, "s1.jsonl");
    const garbage = Buffer.concat([Buffer.from("\u0000\u00ffnot a transcript at all "), Buffer.alloc(40_000, 0x61)]);
    await fs.writeFile(file, garbage);
    await appendMessage(store, KEY, { role: "user", content: "x" });
    expect(await fs.readFile(`${file}.corrupt.2026-11-21T10-37-00-123Z`)).toEqual(garbage);
    expect((await readJsonLines(file)).map((l) => l.type)).toEqual(["session", "message"]);
    await fs.writeFile(file, "\n\n"); // only newlines: nothing to keep
    await appendMessage(store, KEY, { role: "user", content: "y" });
    expect((await fs.readdir(store.dir)).filter((n) => n.includes(".corrupt.")).length).toBe(1);
    const findings = await diagnose(store, { now });
    expect(findings.filter((f) => f.kind === "quarantined-file").map((f) => path.basename(f.subject))).toEqual(["s1.jsonl.corrupt.2026-11-21T10-37-00-123Z"]);
  });

  it("chains past malformed lines and other entry types to the last entry", async () => {
    const store = openTestStore(tmp());
    await store.update(KEY, { sessionId: "s2", updatedAt: 1 });
    const file = path.join(store.dir, "s2.jsonl");
    await fs.writeFile(file, `${(await fs.readFile(FIXTURE_TRANSCRIPT, "utf8")).trimEnd()}\n{"type":"model_change","id":"mc1","parentId":"164b7727"}\nnot json\n\n`);
    const m = await appendMessage(store, KEY, { role: "user", content: "after" });
    expect(m.parentId).toBe("mc1");
  });
});

describe("interop with the agent runtime (pi-coding-agent SessionManager)", () => {
  it("the runtime reads exactly the messages we appended", async () => {
    const store = openTestStore(tmp());
    const inputs = [
      { role: "user" as const, content: "What's on today?", timestamp: 1_000, meta: { channel: "telegram", gatewayMessageId: "77" } },
      { role: "assistant" as const, content: [{ type: "text" as const, text: "Two meetings." }], timestamp: 2_000, provider: "openai", model: "gpt-5", usage: { input: 1, output: 2 }, stopReason: "stop" },
      { role: "user" as const, content: [{ type: "text" as const, text: "Thanks" }, { type: "text" as const, text: "!" }], timestamp: 3_000 },
    ];
    for (const input of inputs) await appendMessage(store, KEY, input);
    const file = await transcriptOf(store, KEY);
    const before = await fs.readFile(file, "utf8");
    const manager = SessionManager.open(file);
    expect(manager.getSessionId()).toBe((await store.get(KEY))?.sessionId);
    expect(manager.buildSessionContext().messages).toEqual(inputs.map(({ meta: _meta, ...message }) => message));
    expect(await fs.readFile(file, "utf8")).toBe(before);
  });

  it("appending to a transcript the runtime wrote continues its chain; the runtime reads all", async () => {
    const store = openTestStore(tmp());
    await store.update(KEY, { sessionId: "01a1fda7-9554-71f2-86da-d8e79becab42", updatedAt: 1 });
    const file = path.join(store.dir, "01a1fda7-9554-71f2-86da-d8e79becab42.jsonl");
    await fs.copyFile(FIXTURE_TRANSCRIPT, file);
    const m = await appendMessage(store, KEY, { role: "user", content: "one more", timestamp: 1795165300000 });
    expect(m.parentId).toBe("164b7727");
    const messages = SessionManager.open(file).buildSessionContext().messages;
    expect(messages).toHaveLength(5);
    expect(messages[4]).toEqual({ role: "user", content: "one more", timestamp: 1795165300000 });
  });
});

describe("several processes appending to one transcript", () => {
  beforeAll(async () => {
    await ensureDistBuilt();
  });

  it("4 processes x 60 messages: one unbroken chain of 240 after the header, all valid JSON, the runtime reads all", async () => {
    const store = openTestStore(tmp());
    await store.update(KEY, { sessionId: "shared", updatedAt: 1 });
    const names = ["p0", "p1", "p2", "p3"];
    await runTogether("fixtures-append-child.mjs", tmp(), names.map((name) => [store.path, KEY, name, 60, 7]));
    const file = path.join(store.dir, "shared.jsonl");
    const lines = await readJsonLines(file);
    expect(lines).toHaveLength(241);
    expect(lines[0]).toMatchObject({ type: "session", id: "shared" });
    const entries = lines.slice(1);
    entries.forEach((line, i) => expect(line.parentId).toBe(i === 0 ? null : entries[i - 1]?.id));
    expect(new Set(entries.map((l) => l.id)).size).toBe(240);
    for (const name of names) {
      // Each process's own messages keep their order.
      const mine = entries.filter((l) => (l.meta as { senderId: string }).senderId === name).map((l) => (l.message as { content: string }).content);
      expect(mine).toEqual(Array.from({ length: 60 }, (_, i) => `${name}-${i}`));
    }
    expect(SessionManager.open(file).buildSessionContext().messages).toHaveLength(240);
    expect((await store.get(KEY))?.sessionFile).toBe("shared.jsonl");
  });
});
