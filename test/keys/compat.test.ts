/**
 * clawdbot/openclaw's key cases, run against our code (their inputs and expected outputs).
 * Sources (each case names its file):
 * - moltbot/moltbot src/config/sessions.test.ts (deriveSessionKey / resolveSessionKey)
 * - clawdbot/clawdbot src/config/sessions.test.ts before 13b931c ("keeps explicit provider when
 *   provided in group key": From `group:discord:12345`)
 * - moltbot/moltbot src/config/sessions/main-session.ts (canonicalizeMainSessionAlias: `main`,
 *   the mainKey, `agent:<a>:<mainKey>` and `agent:<a>:main` are main aliases; `global` under
 *   scope global)
 * - moltbot/moltbot src/utils.test.ts ("strips formatting and prefixes")
 * - openclaw/openclaw src/routing/session-key.test.ts (parsing)
 * Where we differ on purpose (per-channel-peer default, ids' case on Matrix/Signal, `%`-encoded
 * ids) the expected value is ours; see notes/compat.md.
 */
import { describe, expect, it } from "vitest";
import { canonicalizeSessionKey, normalizeE164, parseSessionKey, resolveSessionKey } from "../../src/keys/index.js";

describe("resolveSessionKey: clawdbot's sessions.test.ts", () => {
  it.each([
    ["global scope returns global", { from: "+1" }, { scope: "global" as const }, "global"],
    ["keeps group chats distinct", { from: "12345-678@g.us" }, {}, "agent:main:whatsapp:group:12345-678@g.us"],
    ["prefixes group keys with provider", { from: "12345-678@g.us", chatType: "group" as const, channel: "whatsapp" }, {}, "agent:main:whatsapp:group:12345-678@g.us"],
    ["keeps explicit provider in group key", { from: "discord:group:12345", chatType: "group" as const }, {}, "agent:main:discord:group:12345"],
    ["collapses direct chats to main (dmScope main)", { from: "+1555" }, { dmScope: "main" as const }, "agent:main:main"],
    ["collapses direct chats to main even when sender missing", {}, { dmScope: "main" as const }, "agent:main:main"],
    ["maps direct chats to main key", { from: "whatsapp:+1555" }, { dmScope: "main" as const, mainKey: "main" }, "agent:main:main"],
    ["uses custom main key", { from: "+1555" }, { dmScope: "main" as const, mainKey: "primary" }, "agent:main:primary"],
    ["keeps global scope untouched", { from: "+1555" }, { scope: "global" as const }, "global"],
    ["leaves groups untouched even with main key", { from: "12345-678@g.us" }, { mainKey: "main" }, "agent:main:whatsapp:group:12345-678@g.us"],
  ])("%s", (_why, ctx, options, expected) => {
    expect(resolveSessionKey(ctx, options)).toBe(expected);
  });
});

describe("resolveSessionKey: clawdbot's old from form group:<channel>:<id>", () => {
  it.each([
    ["group:discord:12345, chatType group", { from: "group:discord:12345", chatType: "group" as const }, "agent:main:discord:group:12345"],
    ["group:discord:12345, no chatType", { from: "group:discord:12345" }, "agent:main:discord:group:12345"],
    ["group:discord:12345 with channel discord", { from: "group:discord:12345", channel: "discord" }, "agent:main:discord:group:12345"],
    ["group:slack:channel:C1", { from: "group:slack:channel:C1" }, "agent:main:slack:channel:c1"],
    ["group:<id> with a channel given", { from: "group:abc", channel: "telegram" }, "agent:main:telegram:group:abc"],
    ["a Matrix room after group: keeps its server part", { from: "group:!Room:example.org", channel: "matrix" }, "agent:main:matrix:group:!Room%3Aexample.org"],
  ])("%s", (_why, ctx, expected) => {
    expect(resolveSessionKey(ctx)).toBe(expected);
  });
});

describe("main aliases (canonicalizeMainSessionAlias)", () => {
  it.each([
    ["main", { scope: "global" as const }],
    ["agent:main:main", { scope: "global" as const }],
    ["work", { scope: "global" as const, mainKey: "work" }],
    ["agent:main:work", { scope: "global" as const, mainKey: "work" }],
    ["agent:main:main", { scope: "global" as const, mainKey: "work" }],
    ["Agent:Main:Main", { scope: "global" as const }],
  ])("explicit main alias %j under scope global → global", (sessionKey, options) => {
    expect(resolveSessionKey({ sessionKey }, options)).toBe("global");
  });

  it("under scope global, other explicit keys stay as they are", () => {
    expect(resolveSessionKey({ sessionKey: "agent:main:telegram:dm:111" }, { scope: "global" })).toBe("agent:main:telegram:dm:111");
    expect(resolveSessionKey({ sessionKey: "agent:ops:main" }, { scope: "global" })).toBe("agent:ops:main");
    expect(resolveSessionKey({ sessionKey: "cron:nightly" }, { scope: "global" })).toBe("cron:nightly");
  });

  it.each([
    ["agent:main:main", "agent:main:work"],
    ["agent:ops:main", "agent:ops:work"],
    ["main", "agent:main:work"],
    ["work", "agent:main:work"],
    ["agent:ops:main:thread:42", "agent:ops:work:thread:42"],
    ["agent:main:work", "agent:main:work"],
  ])("with mainKey work, %j is an alias of %j", (key, expected) => {
    expect(canonicalizeSessionKey(key, { mainKey: "work" })).toBe(expected);
    expect(resolveSessionKey({ sessionKey: key }, { mainKey: "work" })).toBe(expected);
  });

  it("with the default mainKey, agent:<a>:main stays", () => {
    expect(canonicalizeSessionKey("agent:ops:main")).toBe("agent:ops:main");
  });
});

describe("normalizeE164 (clawdbot's utils.test.ts)", () => {
  it.each([
    ["whatsapp:+1 555 555 0123", "+15555550123"],
    ["whatsapp:(555) 123-4567", "+5551234567"],
    ["WhatsApp:+15551234567", "+15551234567"],
    ["signal:+1 555 010 2030", "+15550102030"],
    ["whatsapp:", undefined],
    ["whatsapp:123@g.us", undefined],
    ["telegram:+15551234567", undefined],
  ])("%j → %j", (raw, expected) => {
    expect(normalizeE164(raw)).toBe(expected);
  });
});

describe("parseSessionKey (openclaw's routing/session-key.test.ts)", () => {
  it.each([
    ["agent:main:telegram:dm:123456", { kind: "direct", agentId: "main", channel: "telegram", chatType: "direct", peerId: "123456" }],
    ["agent:main:whatsapp:direct:+15551234567", { kind: "direct", agentId: "main", channel: "whatsapp", chatType: "direct", peerId: "+15551234567" }],
    ["agent:main:telegram:group:g1", { kind: "group", agentId: "main", channel: "telegram", chatType: "group", peerId: "g1" }],
    ["agent:main:discord:channel:c1", { kind: "channel", agentId: "main", channel: "discord", chatType: "channel", peerId: "c1" }],
    [
      "agent:main:slack:channel:c123:thread:1710000000.9999",
      { kind: "channel", agentId: "main", channel: "slack", chatType: "channel", peerId: "c123", threadId: "1710000000.9999" },
    ],
    ["agent:main:telegram:group:-1001:topic:42", { kind: "group", agentId: "main", channel: "telegram", chatType: "group", peerId: "-1001", threadId: "42" }],
    ["AGENT:Main:Hook:Webhook:42", { kind: "hook", agentId: "main" }],
    ["agent:main:main", { kind: "main", agentId: "main", mainKey: "main" }],
  ])("%s", (key, expected) => {
    expect(parseSessionKey(key)).toEqual(expected);
  });

  it.each(["agent::broken", "agent:main"])("%j is malformed", (key) => {
    expect(parseSessionKey(key)).toBeNull();
  });
});

describe("explicit keys (openclaw's src/config/sessions/explicit-session-key-normalization.test.ts)", () => {
  it("lowercases unknown providers while preserving opaque Signal group IDs", () => {
    expect(resolveSessionKey({ channel: "slack", from: "slack:U123", sessionKey: "Agent:Fina:Slack:DM:ABC" })).toBe("agent:fina:slack:dm:abc");
    const groupId = "VWATOdKF2hc8zdOS76q9tb0+5BI522e03QLDAq/9yPg=";
    expect(resolveSessionKey({ channel: "signal", chatType: "group", from: `group:${groupId}`, sessionKey: `Agent:Main:Signal:Group:${groupId}` })).toBe(
      `agent:main:signal:group:${groupId}`,
    );
  });
});
