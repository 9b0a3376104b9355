import fc from "fast-check";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HubError } from "../../../src/errors.js";
import { decodeCursor, encodeCursor } from "../../../src/backend/file/transcripts/transcript-cursor.js";
import { headerLine, messageLine, messageText, parseChainLink, parseMessageLine, prepareMessage } from "../../../src/backend/shared/transcript-format.js";
import { FIXTURE_TRANSCRIPT } from "../file/fixtures-transcripts.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof HubError ? error.code : `not a HubError: ${String(error)}`;
  }
  return undefined;
}

function messageOf(error: () => unknown): string {
  try {
    error();
  } catch (e) {
    return (e as Error).message;
  }
  return "";
}

describe("messageText", () => {
  it.each([
    ["a string content", { content: "hi there" }, "hi there"],
    ["one text block", { content: [{ type: "text", text: "hello" }] }, "hello"],
    ["text blocks joined with a newline", { content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] }, "a\nb"],
    ["non-text blocks skipped", { content: [{ type: "image", data: "..." }, { type: "text", text: "caption" }, { type: "toolCall", id: "1" }] }, "caption"],
    ["an empty array", { content: [] }, ""],
    ["no content", {}, ""],
    ["a malformed block", { content: [null, 3, { type: "text", text: 5 }, { type: "text", text: "ok" }] }, "ok"],
    ["undefined", undefined, ""],
  ])("%s", (_name, message, expected) => {
    expect(messageText(message as never)).toBe(expected);
  });
});

describe("prepareMessage", () => {
  it("serializes the message as the runtime stores it: role, content, extra fields, timestamp", () => {
    const prepared = prepareMessage({ role: "assistant", content: "ok", timestamp: 5, model: "gpt-5", meta: { channel: "telegram", threadId: 7 } }, 1000);
    expect(JSON.parse(prepared.messageJson)).toEqual({ role: "assistant", content: "ok", model: "gpt-5", timestamp: 5 });
    expect(Object.keys(JSON.parse(prepared.messageJson) as object)).toEqual(["role", "content", "model", "timestamp"]);
    expect(JSON.parse(prepared.metaJson ?? "null")).toEqual({ channel: "telegram", threadId: 7 });
    expect(prepared.writtenAt).toBe(new Date(1000).toISOString());
    expect(prepared.body).toEqual({ role: "assistant", content: "ok", model: "gpt-5", timestamp: 5, meta: { channel: "telegram", threadId: 7 } });
  });

  it("defaults the timestamp to the clock and drops empty meta", () => {
    const prepared = prepareMessage({ role: "user", content: [{ type: "text", text: "x" }], meta: { senderId: undefined } }, 42);
    expect(prepared.body).toEqual({ role: "user", content: [{ type: "text", text: "x" }], timestamp: 42 });
    expect(prepared.metaJson).toBeUndefined();
  });

  it('keeps a "__proto__" field of the message or its meta (parsed from network JSON) as data, never as a prototype', () => {
    const input = JSON.parse('{"role":"user","content":"x","__proto__":{"polluted":true},"meta":{"channel":"telegram","__proto__":{"polluted":true}}}') as object;
    const prepared = prepareMessage(input, 1);
    expect(Object.hasOwn(prepared.body, "__proto__")).toBe(true);
    expect(Object.hasOwn(prepared.body.meta as object, "__proto__")).toBe(true);
    expect(JSON.parse(prepared.messageJson)).toEqual(JSON.parse('{"role":"user","content":"x","__proto__":{"polluted":true},"timestamp":1}'));
    expect(prepared.metaJson).toBe('{"channel":"telegram","__proto__":{"polluted":true}}');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect((prepared.body as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it.each([
    ["not an object", "hello", /^message must be a plain object, got "hello"$/],
    ["no role", { content: "x" }, /^message\.role must be a non-empty string, got undefined$/],
    ["an empty role", { role: "", content: "x" }, /message\.role/],
    ["content a number", { role: "user", content: 5 }, /^message\.content must be a string or an array of content blocks, got 5$/],
    ["a block without type", { role: "user", content: [{ text: "x" }] }, /^message\.content\[0\] must be an object with a string "type"/],
    ["a text block without text", { role: "user", content: [{ type: "text" }] }, /^message\.content\[0\]\.text must be a string, got undefined$/],
    ["a negative timestamp", { role: "user", content: "x", timestamp: -1 }, /^message\.timestamp must be epoch ms/],
    ["a string timestamp", { role: "user", content: "x", timestamp: "now" }, /message\.timestamp/],
    ["a timestamp beyond the Date range", { role: "user", content: "x", timestamp: 8.64e15 + 1 }, /^message\.timestamp must be epoch ms \(a finite number from 0 to 8640000000000000\), got 8640000000000001$/],
    ["meta an array", { role: "user", content: "x", meta: [] }, /^message\.meta must be a plain object, got an array$/],
    ["meta.senderId a number", { role: "user", content: "x", meta: { senderId: 5 } }, /^message\.meta\.senderId must be a string, got 5$/],
    ["meta.threadId an object", { role: "user", content: "x", meta: { threadId: {} } }, /^message\.meta\.threadId must be a string or a number/],
    ["a bigint field", { role: "user", content: "x", extra: 1n }, /^message must be JSON-serializable/],
  ])("rejects %s with E_INVALID_ARGUMENT", (_name, input, message) => {
    expect(codeOf(() => prepareMessage(input, 0))).toBe("E_INVALID_ARGUMENT");
    expect(messageOf(() => prepareMessage(input, 0))).toMatch(message);
  });
});

describe("lines", () => {
  it("writes the header of SPEC 6", () => {
    expect(JSON.parse(headerLine("s1", "agent:main:main", Date.UTC(2026, 0, 2)))).toEqual({
      type: "session",
      version: 3,
      id: "s1",
      timestamp: "2026-01-02T00:00:00.000Z",
      cwd: "",
      sessionKey: "agent:main:main",
    });
  });

  it("writes a message line that parses back to the stored message", () => {
    const prepared = prepareMessage({ role: "user", content: "hé\nllo", timestamp: 9, meta: { channel: "telegram" } }, 10);
    const line = messageLine("abc", null, prepared);
    expect(line).not.toContain("\n");
    expect(JSON.parse(line)).toEqual({
      type: "message",
      id: "abc",
      parentId: null,
      timestamp: new Date(10).toISOString(),
      message: { role: "user", content: "hé\nllo", timestamp: 9 },
      meta: { channel: "telegram" },
    });
    expect(parseMessageLine(line)).toEqual({ id: "abc", parentId: null, role: "user", content: "hé\nllo", timestamp: 9, meta: { channel: "telegram" } });
  });

  it("reads the runtime's lines: messages with their extra fields, other types skipped", () => {
    const lines = readFileSync(FIXTURE_TRANSCRIPT, "utf8").trim().split("\n");
    const messages = lines.map(parseMessageLine);
    expect(messages.map((m) => m?.id)).toEqual([undefined, undefined, "c2768bce", "143db6a0", undefined, "d970d32c", "164b7727"]);
    expect(messages[3]).toMatchObject({ parentId: "c2768bce", role: "assistant", api: "openai-responses", provider: "openai", model: "gpt-5", stopReason: "stop" });
    expect(messages[3]?.usage).toMatchObject({ totalTokens: 160 });
    expect(messages[5]?.parentId).toBe("d05200f4");
    expect(lines.map(parseChainLink)).toEqual([
      { header: true },
      { id: "20bc72f3" },
      { id: "c2768bce" },
      { id: "143db6a0" },
      { id: "d05200f4" },
      { id: "d970d32c" },
      { id: "164b7727" },
    ]);
  });

  it("falls back to the line's ISO timestamp when the message has none", () => {
    const line = '{"type":"message","id":"a","parentId":null,"timestamp":"2026-01-01T00:00:00.000Z","message":{"role":"user","content":"x"}}';
    expect(parseMessageLine(line)?.timestamp).toBe(Date.UTC(2026, 0, 1));
  });

  it("never throws on arbitrary text, and returns nothing for non-messages", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(parseMessageLine(text)).toBeUndefined();
        parseChainLink(text);
      }),
      { numRuns: 300 },
    );
    for (const text of ['{"type":"message"}', '{"type":"message","id":"a","message":{"content":"x"}}', "[1]", "null", '{"type":"message","id":1,"message":{"role":"user"}}']) {
      expect(parseMessageLine(text)).toBeUndefined();
    }
  });
});

describe("cursors", () => {
  it("round-trip an offset for the same file", () => {
    expect(decodeCursor(encodeCursor("a.jsonl", 1234), "before", "a.jsonl")).toBe(1234);
  });

  it("refuse another file's cursor and garbage with E_INVALID_ARGUMENT", () => {
    expect(codeOf(() => decodeCursor(encodeCursor("a.jsonl", 1), "after", "b.jsonl"))).toBe("E_INVALID_ARGUMENT");
    expect(messageOf(() => decodeCursor(encodeCursor("a.jsonl", 1), "after", "b.jsonl"))).toMatch(/^after is a cursor of transcript "a\.jsonl"/);
    for (const bad of ["", "nope", 5, Buffer.from('{"f":"a.jsonl","o":-1}').toString("base64url")]) {
      expect(codeOf(() => decodeCursor(bad, "before", "a.jsonl"))).toBe("E_INVALID_ARGUMENT");
    }
    expect(messageOf(() => decodeCursor("nope", "before", "a.jsonl"))).toBe('before must be a cursor returned by readMessages, got "nope"');
  });
});
