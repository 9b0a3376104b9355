import { describe, expect, it } from "vitest";
import { HubError } from "../../src/errors.js";
import { parseSessionKey, resolveSessionKey } from "../../src/keys/index.js";
import type { ResolveSessionKeyOptions, SessionKeyContext } from "../../src/keys/index.js";

// Every row of SPEC 3.2's example table, verbatim.
const rows: Array<[string, SessionKeyContext, ResolveSessionKeyOptions, string]> = [
  ["telegram direct, dmScope main", { channel: "telegram", chatType: "direct", peerId: "111" }, { dmScope: "main" }, "agent:main:main"],
  ["telegram direct, default dmScope", { channel: "telegram", chatType: "direct", peerId: "111" }, {}, "agent:main:telegram:dm:111"],
  ["whatsapp from, per-peer", { channel: "whatsapp", from: "whatsapp:+15551234567" }, { dmScope: "per-peer" }, "agent:main:dm:+15551234567"],
  [
    "telegram direct with account, per-account-channel-peer",
    { channel: "telegram", chatType: "direct", peerId: "7550356539", accountId: "Tasks" },
    { dmScope: "per-account-channel-peer" },
    "agent:main:telegram:tasks:dm:7550356539",
  ],
  ["discord direct, identity link", { channel: "discord", chatType: "direct", peerId: "222" }, { identityLinks: { alice: ["discord:222"] } }, "agent:main:dm:alice"],
  ["whatsapp group from @g.us", { from: "12345-678@g.us" }, {}, "agent:main:whatsapp:group:12345-678@g.us"],
  ["discord group from prefix", { from: "discord:group:12345" }, {}, "agent:main:discord:group:12345"],
  [
    "telegram forum topic",
    { channel: "telegram", chatType: "group", peerId: "-1001234567890", threadId: "99" },
    {},
    "agent:main:telegram:group:-1001234567890:topic:99",
  ],
  ["slack channel thread", { channel: "slack", chatType: "channel", peerId: "C1", threadId: "111.222" }, {}, "agent:main:slack:channel:c1:thread:111.222"],
  ["matrix channel keeps case, encodes colon", { channel: "matrix", chatType: "channel", peerId: "!AbC:example.org" }, {}, "agent:main:matrix:channel:!AbC%3Aexample.org"],
  ["explicit sessionKey", { sessionKey: " Agent:Main:Main " }, {}, "agent:main:main"],
  ["scope global", { channel: "telegram", chatType: "group", peerId: "-100" }, { scope: "global" }, "global"],
];

describe("SPEC 3.2 examples", () => {
  it.each(rows)("%s", (_name, ctx, options, expected) => {
    const key = resolveSessionKey(ctx, options);
    expect(key).toBe(expected);
    expect(parseSessionKey(key)).not.toBeNull();
  });

  it("the example keys parse to their parts", () => {
    expect(parseSessionKey("agent:main:telegram:group:-1001234567890:topic:99")).toEqual({
      kind: "group",
      agentId: "main",
      channel: "telegram",
      chatType: "group",
      peerId: "-1001234567890",
      threadId: "99",
    });
    expect(parseSessionKey("agent:main:matrix:channel:!AbC%3Aexample.org")).toEqual({
      kind: "channel",
      agentId: "main",
      channel: "matrix",
      chatType: "channel",
      peerId: "!AbC:example.org",
    });
    expect(parseSessionKey("agent:main:telegram:tasks:dm:7550356539")).toEqual({
      kind: "direct",
      agentId: "main",
      channel: "telegram",
      accountId: "tasks",
      chatType: "direct",
      peerId: "7550356539",
    });
    expect(parseSessionKey("agent:main:main")).toEqual({ kind: "main", agentId: "main", mainKey: "main" });
    expect(parseSessionKey("global")).toEqual({ kind: "global" });
  });

  it("scope global wins over everything but an explicit sessionKey that is no main alias", () => {
    expect(resolveSessionKey({ channel: "telegram", peerId: "1", sessionKey: "agent:main:telegram:dm:1" }, { scope: "global" })).toBe("agent:main:telegram:dm:1");
    // clawdbot's canonicalizeMainSessionAlias: the main session under scope global is `global`.
    expect(resolveSessionKey({ channel: "telegram", peerId: "1", sessionKey: "agent:main:main" }, { scope: "global" })).toBe("global");
  });

  it("throws E_INVALID_KEY naming the field when no key can be formed", () => {
    const attempt = () => resolveSessionKey({ chatType: "group", peerId: "123" });
    expect(attempt).toThrow(HubError);
    expect(attempt).toThrow(/^channel is required for a group message/);
    try {
      attempt();
    } catch (error) {
      expect((error as HubError).code).toBe("E_INVALID_KEY");
    }
  });
});
