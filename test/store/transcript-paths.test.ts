import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HubError } from "../../src/errors.js";
import { appendMessage } from "../../src/store/transcript-append.js";
import { resolveTranscriptPath, sessionFileOf, transcriptFileName } from "../../src/store/transcript-path.js";
import { readMessages } from "../../src/store/transcript-read.js";
import { openTestStore, readJsonLines } from "./fixtures-transcripts.js";
import { useTempDir, errorCodeOf } from "./helpers.js";

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
    for (const sessionId of ["a/b", "../x", "/etc/passwd", "..", ".hidden", "a\0b", ""]) {
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
});
