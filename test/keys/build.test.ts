import { describe, expect, it } from "vitest";
import { buildSessionKey, decodeKeySegment, encodeKeySegment, normalizeE164, parseSessionKey, type SessionKeyParts } from "../../src/keys/index.js";
import { normalizeAccountId, normalizeAgentId, normalizeChannel, normalizeMainKey } from "../../src/keys/normalize.js";
import { expectHubError } from "./helpers.js";

describe("buildSessionKey", () => {
  const cases: Array<[SessionKeyParts, string]> = [
    [{ kind: "main" }, "agent:main:main"],
    [{ kind: "main", agentId: "Ops", mainKey: " Work ", threadId: "T1" }, "agent:ops:work:thread:t1"],
    [{ kind: "main", mainKey: "a:b" }, "agent:main:a%3Ab"],
    [{ kind: "direct", peerId: "Alice" }, "agent:main:dm:alice"],
    [{ kind: "direct", channel: "telegram", peerId: "1" }, "agent:main:telegram:dm:1"],
    [{ kind: "direct", channel: "telegram", accountId: "Bot A", peerId: "1" }, "agent:main:telegram:bot-a:dm:1"],
    [{ kind: "direct", channel: "telegram", accountId: "  ", peerId: "1" }, "agent:main:telegram:dm:1"],
    [{ kind: "direct", channel: "signal", peerId: "+1 555 000 1111" }, "agent:main:signal:dm:+15550001111"],
    [{ kind: "direct", channel: "signal", peerId: "uuid:AbC" }, "agent:main:signal:dm:uuid%3AAbC"],
    [{ kind: "group", channel: "telegram", peerId: "-1", threadId: 9 }, "agent:main:telegram:group:-1:topic:9"],
    [{ kind: "channel", channel: "telegram", peerId: "-1", threadId: 9 }, "agent:main:telegram:channel:-1:thread:9"],
    [{ kind: "group", channel: "a:b", peerId: "x%y" }, "agent:main:a%3Ab:group:x%25y"],
  ];
  it.each(cases)("%j", (parts, expected) => {
    const key = buildSessionKey(parts);
    expect(key).toBe(expected);
    expect(buildSessionKey(parseSessionKey(key) as SessionKeyParts)).toBe(key);
  });

  it.each([
    [{ kind: "cron" }, /^kind must be one of main, direct, group, channel to build a key, got "cron"/],
    [{ kind: "direct", channel: "x", peerId: "  " }, /^peerId must be a non-empty id for a direct key, got "  "/],
    [{ kind: "group", peerId: "1" }, /^channel is required for a group key, got undefined/],
    [{ kind: "channel", channel: "x", peerId: "1", accountId: "a" }, /^accountId is only part of direct keys/],
    [{ kind: "direct", peerId: "1", accountId: "a" }, /^channel is required with accountId/],
    [{ kind: "direct", channel: "x", peerId: "1", accountId: "Direct" }, /^accountId must not be one of dm, direct, group, channel/],
    [{ kind: "group", channel: " Group ", peerId: "1" }, /^channel must not be one of/],
    [{ kind: "main", mainKey: "DM" }, /^mainKey must not be one of/],
  ] as Array<[SessionKeyParts, RegExp]>)("throws E_INVALID_KEY for %j", (parts, message) => {
    expectHubError(() => buildSessionKey(parts), "E_INVALID_KEY", message);
  });
});

describe("key segments", () => {
  it.each([
    ["plain", "plain"],
    ["a:b", "a%3Ab"],
    ["100%", "100%25"],
    ["%3A", "%253A"],
    [":%:", "%3A%25%3A"],
  ])("%j <-> %j", (raw, encoded) => {
    expect(encodeKeySegment(raw)).toBe(encoded);
    expect(decodeKeySegment(encoded)).toBe(raw);
  });
});

describe("normalizeE164", () => {
  it.each([
    ["+1 (555) 010-2030", "+15550102030"],
    ["whatsapp-less 15551234567", undefined],
    ["15551234567", "+15551234567"],
    ["+44 20 7946.0958", "+442079460958"],
    ["15551234567@s.whatsapp.net", "+15551234567"],
    ["15551234567:3@c.us", "+15551234567"],
    ["123@g.us", undefined],
    ["1234", undefined],
    ["+1234567890123456", undefined],
    ["uuid:abc", undefined],
  ])("%j → %j", (raw, expected) => {
    expect(normalizeE164(raw)).toBe(expected);
  });
});

describe("normalizers", () => {
  it.each([
    [" Main ", "main"],
    ["My Agent!", "my-agent"],
    ["--a--", "a"],
    ["a".repeat(70), "a".repeat(64)],
    ["", "main"],
    ["__proto__", "main"],
    ["Constructor", "main"],
    [undefined, "main"],
  ])("normalizeAgentId(%j) = %j", (raw, expected) => {
    expect(normalizeAgentId(raw)).toBe(expected);
  });
  it("normalizeAccountId falls back to default", () => {
    expect(normalizeAccountId("  ")).toBe("default");
    expect(normalizeAccountId("Tasks")).toBe("tasks");
  });
  it("normalizeChannel applies aliases", () => {
    expect(normalizeChannel(" IMSG ")).toBe("imessage");
    expect(normalizeChannel("google-chat")).toBe("googlechat");
    expect(normalizeChannel("gchat")).toBe("googlechat");
    expect(normalizeChannel(7)).toBe("");
  });
  it("normalizeMainKey defaults to main", () => {
    expect(normalizeMainKey(" Work ")).toBe("work");
    expect(normalizeMainKey("  ")).toBe("main");
  });
});
