import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HubError } from "../../../../src/errors.js";
import { appendMessage } from "../../../../src/backend/file/transcripts/transcript-append.js";
import { resolveTranscriptPath, sessionFileOf, transcriptFileName } from "../../../../src/backend/file/transcripts/transcript-path.js";
import { readMessages } from "../../../../src/backend/file/transcripts/transcript-read.js";
import { openTestStore, readJsonLines } from "../fixtures-transcripts.js";
import { useTempDir, errorCodeOf } from "../helpers.js";

const tmp = useTempDir("hub-paths-");
const KEY = "agent:main:telegram:dm:111";
const MESSAGE = { role: "user" as const, content: "x" };


function syncCodeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof HubError ? error.code : `not a HubError: ${String(error)}`;
  }
  return undefined;
}

describe("transcript paths never leave the sessions directory", () => {
  it.each([
    ["a ../ sessionFile", (dir: string) => path.join("..", "outside.jsonl"), (dir: string) => path.join(dir, "outside.jsonl")],
    ["a nested ../ sessionFile", () => "sub/../../outside.jsonl", (dir: string) => path.join(dir, "outside.jsonl")],
    ["an absolute sessionFile outside", (dir: string) => path.join(dir, "elsewhere.jsonl"), (dir: string) => path.join(dir, "elsewhere.jsonl")],
  ])("refuses %s with E_INVALID_SESSION_FILE, for append and read, writing nothing", async (_name, sessionFile, target) => {
    const store = openTestStore(tmp());
    await store.update(KEY, { sessionId: "s1", updatedAt: 1, sessionFile: sessionFile(tmp()) });
    expect(await errorCodeOf(appendMessage(store, KEY, MESSAGE))).toBe("E_INVALID_SESSION_FILE");
    expect(await errorCodeOf(readMessages(store, KEY))).toBe("E_INVALID_SESSION_FILE");
    await expect(fs.access(target(tmp()))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("accepts an absolute sessionFile inside the directory, as clawdbot records it", async () => {
    const store = openTestStore(tmp());
    await store.update(KEY, { sessionId: "s1", updatedAt: 1, sessionFile: path.join(tmp(), "sessions", "s1.jsonl") });
    await appendMessage(store, KEY, MESSAGE);
    expect((await readMessages(store, KEY)).messages).toHaveLength(1);
    expect((await store.get(KEY))?.sessionFile).toBe(path.join(tmp(), "sessions", "s1.jsonl"));
  });

  it("refuses a transcript that is a symlink to a file outside, leaving that file untouched", async () => {
    const store = openTestStore(tmp());
    await store.update(KEY, { sessionId: "s1", updatedAt: 1 });
    const outside = path.join(tmp(), "secret.jsonl");
    await fs.writeFile(outside, '{"type":"session","version":3,"id":"secret","timestamp":"","cwd":""}\n');
    await fs.symlink(outside, path.join(store.dir, "s1.jsonl"));
    expect(await errorCodeOf(appendMessage(store, KEY, MESSAGE))).toBe("E_INVALID_SESSION_FILE");
    expect(await errorCodeOf(readMessages(store, KEY))).toBe("E_INVALID_SESSION_FILE");
    expect(await fs.readFile(outside, "utf8")).toBe('{"type":"session","version":3,"id":"secret","timestamp":"","cwd":""}\n');
  });

  it("refuses a dangling symlink pointing outside instead of creating its target", async () => {
    const store = openTestStore(tmp());
    await store.update(KEY, { sessionId: "s1", updatedAt: 1 });
    const outside = path.join(tmp(), "created-outside.jsonl");
    await fs.symlink(outside, path.join(store.dir, "s1.jsonl"));
    expect(await errorCodeOf(appendMessage(store, KEY, MESSAGE))).toBe("E_INVALID_SESSION_FILE");
    await expect(fs.access(outside)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("follows a symlink whose target stays inside the directory", async () => {
    const store = openTestStore(tmp());
    await store.update(KEY, { sessionId: "s1", updatedAt: 1 });
    await fs.mkdir(path.join(store.dir, "archive"));
    const real = path.join(store.dir, "archive", "real.jsonl");
    await fs.writeFile(real, "");
    await fs.symlink(real, path.join(store.dir, "s1.jsonl"));
    await appendMessage(store, KEY, MESSAGE);
    expect((await readJsonLines(real)).map((l) => l.type)).toEqual(["session", "message"]);
    expect((await readMessages(store, KEY)).messages).toHaveLength(1);
  });

  it("refuses session ids that are not file names", () => {
    for (const sessionId of ["a/b", "../x", "/etc/passwd", "..", ".", "a\\b", "a\0b", "a\nb", "", "x".repeat(256)]) {
      expect(syncCodeOf(() => transcriptFileName(sessionId))).toBe("E_INVALID_SESSION_FILE");
      expect(syncCodeOf(() => resolveTranscriptPath(tmp(), { sessionId }))).toBe("E_INVALID_SESSION_FILE");
    }
  });

  it("names topic transcripts with the URI-encoded topic id, and plain ones by session id", () => {
    expect(sessionFileOf("agent:main:telegram:group:-100:topic:99", { sessionId: "s" })).toBe("s-topic-99.jsonl");
    expect(sessionFileOf("agent:main:slack:channel:c1:thread:111.222", { sessionId: "s" })).toBe("s.jsonl");
    expect(sessionFileOf("agent:main:telegram:group:-100:topic:99", { sessionId: "s", sessionFile: "kept.jsonl" })).toBe("kept.jsonl");
    expect(transcriptFileName("s", "a/b")).toBe("s-topic-a%2Fb.jsonl");
  });

  // openclaw's src/config/sessions/paths.test.ts: "resolves transcript path inside an explicit sessions dir".
  it("encodes topic ids as openclaw does", () => {
    expect(transcriptFileName("sess-1", "topic/a+b")).toBe("sess-1-topic-topic%2Fa%2Bb.jsonl");
  });
});

describe("only a transcript (*.jsonl inside the sessions directory) is a sessionFile", () => {
  // openclaw's src/config/sessions/paths.test.ts: "accepts sessionFile candidates within the sessions dir"
  // and "rejects unsafe sessionFile candidates that escape the sessions dir".
  it("accepts a sub-directory of the sessions directory, for append and read", async () => {
    const store = openTestStore(tmp());
    expect(resolveTranscriptPath("/tmp/openclaw/agents/main/sessions", { sessionId: "sess-1", sessionFile: "subdir/threaded-session.jsonl" })).toBe(
      path.resolve("/tmp/openclaw/agents/main/sessions", "subdir/threaded-session.jsonl"),
    );
    await store.update(KEY, { sessionId: "s1", updatedAt: 1, sessionFile: "subdir/x.jsonl" });
    await appendMessage(store, KEY, MESSAGE);
    expect((await readJsonLines(path.join(store.dir, "subdir", "x.jsonl"))).map((l) => l.type)).toEqual(["session", "message"]);
    expect((await readMessages(store, KEY)).messages).toHaveLength(1);
  });

  it.each(["../../etc/passwd", "/etc/passwd", "/tmp/outside/file.jsonl"])("refuses openclaw's escaping candidate %s", (sessionFile) => {
    expect(syncCodeOf(() => resolveTranscriptPath("/tmp/openclaw/agents/main/sessions", { sessionId: "sess-1", sessionFile }))).toBe("E_INVALID_SESSION_FILE");
  });

  it.each([
    "sessions.json",
    "sessions.json.bak",
    "sessions.json.lock",
    "sessions.json.lock/owner.json",
    "sessions.json.corrupt.2026-11-21T10-37-00-123Z",
    "dedupe",
    "dedupe/ab/0123.jsonl",
    "s1.jsonl.lock/x.jsonl",
    "s1.jsonl.deleted.2026-11-21T10-37-00-123Z",
    "notes.txt",
    ".",
    "subdir/",
  ])("refuses the store's own files and non-transcripts: %s, writing nothing", async (sessionFile) => {
    const store = openTestStore(tmp());
    await store.update(KEY, { sessionId: "s1", updatedAt: 1, sessionFile });
    const before = (await fs.readdir(store.dir)).sort();
    expect(await errorCodeOf(appendMessage(store, KEY, MESSAGE))).toBe("E_INVALID_SESSION_FILE");
    expect(await errorCodeOf(readMessages(store, KEY))).toBe("E_INVALID_SESSION_FILE");
    expect((await fs.readdir(store.dir)).sort()).toEqual(before);
  });

  it("keeps names derived from long topic and session ids within 255 bytes, and short names as they were", async () => {
    const topic = "t".repeat(300);
    const name = transcriptFileName("s1", topic);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
    expect(name).toMatch(/^s1-topic-t+-[0-9a-f]{32}\.jsonl$/);
    expect(transcriptFileName("s1", `${topic}x`)).not.toBe(name);
    expect(transcriptFileName("s1", topic)).toBe(name);
    expect(Buffer.byteLength(transcriptFileName("é".repeat(127)))).toBeLessThanOrEqual(200);
    expect(transcriptFileName("s1", "99")).toBe("s1-topic-99.jsonl");
    const store = openTestStore(tmp());
    const key = `agent:main:telegram:group:-100:topic:${topic}`;
    await appendMessage(store, key, MESSAGE);
    expect((await store.get(key))?.sessionFile).toMatch(/-[0-9a-f]{32}\.jsonl$/);
    expect((await readMessages(store, key)).messages).toHaveLength(1);
  });
});
