import { describe, expect, it } from "vitest";
import { parseSessionKey, resolveSessionKey } from "../../src/keys/index.js";
import type { DmScope, ResolveSessionKeyOptions, SessionKeyContext } from "../../src/keys/index.js";
import { expectHubError } from "./helpers.js";

interface ChannelRow {
  channel: string;
  /** The channel as it appears in keys. */
  keyChannel: string;
  peer: string;
  /** The peer id in channel-scoped keys (case rule, E.164, encoding). */
  peerInKey: string;
  /** The peer id in `agent:main:dm:<id>` keys (no channel: always lower-cased). */
  peerPerPeer: string;
  group: string;
  groupInKey: string;
}

// Literal expectations per channel: case rules (matrix/signal keep case), E.164 (whatsapp,
// signal), percent-encoding of ':' and '%', the imsg alias.
const channels: ChannelRow[] = [
  { channel: "telegram", keyChannel: "telegram", peer: "123456789", peerInKey: "123456789", peerPerPeer: "123456789", group: "-100555", groupInKey: "-100555" },
  { channel: "whatsapp", keyChannel: "whatsapp", peer: "+1 (555) 010-2030", peerInKey: "+15550102030", peerPerPeer: "+15550102030", group: "120363-999@G.US", groupInKey: "120363-999@g.us" },
  { channel: "discord", keyChannel: "discord", peer: "987654321012345678", peerInKey: "987654321012345678", peerPerPeer: "987654321012345678", group: "Guild:Chan", groupInKey: "guild%3Achan" },
  { channel: "Slack", keyChannel: "slack", peer: "U0ABCDEF", peerInKey: "u0abcdef", peerPerPeer: "u0abcdef", group: "C0XYZ", groupInKey: "c0xyz" },
  { channel: "matrix", keyChannel: "matrix", peer: "@Alice:Matrix.org", peerInKey: "@Alice%3AMatrix.org", peerPerPeer: "@alice%3Amatrix.org", group: "!RoomX:server.org", groupInKey: "!RoomX%3Aserver.org" },
  { channel: "signal", keyChannel: "signal", peer: "+44 20 7946 0958", peerInKey: "+442079460958", peerPerPeer: "+442079460958", group: "group.AbC=", groupInKey: "group.AbC=" },
  { channel: "imsg", keyChannel: "imessage", peer: "Chat@Example.com", peerInKey: "chat@example.com", peerPerPeer: "chat@example.com", group: "chat100%", groupInKey: "chat100%25" },
];

const scopes: DmScope[] = ["main", "per-peer", "per-channel-peer", "per-account-channel-peer"];

function directExpected(row: ChannelRow, scope: DmScope): string {
  switch (scope) {
    case "main":
      return "agent:main:main";
    case "per-peer":
      return `agent:main:dm:${row.peerPerPeer}`;
    case "per-channel-peer":
      return `agent:main:${row.keyChannel}:dm:${row.peerInKey}`;
    case "per-account-channel-peer":
      return `agent:main:${row.keyChannel}:bot-1:dm:${row.peerInKey}`;
  }
}

describe("resolveSessionKey: dmScope x chat type x channel", () => {
  const cases: Array<[string, SessionKeyContext, ResolveSessionKeyOptions, string]> = [];
  for (const row of channels) {
    for (const scope of scopes) {
      const options = { dmScope: scope };
      const base = { channel: row.channel, accountId: "Bot 1" };
      cases.push([`${row.channel} direct ${scope}`, { ...base, chatType: "direct", peerId: row.peer }, options, directExpected(row, scope)]);
      cases.push([`${row.channel} group ${scope}`, { ...base, chatType: "group", peerId: row.group }, options, `agent:main:${row.keyChannel}:group:${row.groupInKey}`]);
      cases.push([`${row.channel} room ${scope}`, { ...base, chatType: "room", peerId: row.group }, options, `agent:main:${row.keyChannel}:channel:${row.groupInKey}`]);
    }
  }

  it.each(cases)("%s", (_name, ctx, options, expected) => {
    const key = resolveSessionKey(ctx, options);
    expect(key).toBe(expected);
    expect(parseSessionKey(key)).not.toBeNull();
  });
});

describe("resolveSessionKey: identity links", () => {
  const links = { Alice: ["telegram:111", "Discord:222", "333", "whatsapp:+1 555 010 0100"], bob: ["matrix:@Bob:example.org"] };
  const cases: Array<[string, SessionKeyContext, ResolveSessionKeyOptions, string]> = [
    ["channel-scoped link", { channel: "telegram", peerId: "111" }, { identityLinks: links }, "agent:main:dm:alice"],
    ["link matched case-insensitively (channel)", { channel: "DISCORD", peerId: "222" }, { identityLinks: links }, "agent:main:dm:alice"],
    ["bare link matches on any channel", { channel: "slack", peerId: "333" }, { identityLinks: links }, "agent:main:dm:alice"],
    ["E.164 link entry matches a formatted number", { channel: "whatsapp", from: "whatsapp:+1 (555) 010-0100" }, { identityLinks: links }, "agent:main:dm:alice"],
    ["case-sensitive channel still matches case-insensitively", { channel: "matrix", peerId: "@bob:EXAMPLE.org" }, { identityLinks: links }, "agent:main:dm:bob"],
    ["per-peer uses the link", { channel: "telegram", peerId: "111" }, { identityLinks: links, dmScope: "per-peer" }, "agent:main:dm:alice"],
    ["per-account uses the link", { channel: "telegram", peerId: "111", accountId: "x" }, { identityLinks: links, dmScope: "per-account-channel-peer" }, "agent:main:dm:alice"],
    ["main scope ignores links", { channel: "telegram", peerId: "111" }, { identityLinks: links, dmScope: "main" }, "agent:main:main"],
    ["unlinked peer is unaffected", { channel: "telegram", peerId: "999" }, { identityLinks: links }, "agent:main:telegram:dm:999"],
    ["a link on another channel does not match", { channel: "slack", peerId: "111" }, { identityLinks: links }, "agent:main:slack:dm:111"],
    ["groups ignore links", { channel: "telegram", chatType: "group", peerId: "111" }, { identityLinks: links }, "agent:main:telegram:group:111"],
    ["linked thread", { channel: "telegram", peerId: "111", threadId: "T9" }, { identityLinks: links }, "agent:main:dm:alice:thread:t9"],
    ["first canonical wins (bare listed first)", { channel: "x", peerId: "1" }, { identityLinks: { first: ["1"], second: ["x:1"] } }, "agent:main:dm:first"],
    ["first canonical wins (scoped listed first)", { channel: "x", peerId: "1" }, { identityLinks: { first: ["x:1"], second: ["1"] } }, "agent:main:dm:first"],
    ["canonical name with a colon is encoded", { channel: "x", peerId: "1" }, { identityLinks: { "team:ops": ["x:1"] } }, "agent:main:dm:team%3Aops"],
  ];
  it.each(cases)("%s", (_name, ctx, options, expected) => {
    expect(resolveSessionKey(ctx, options)).toBe(expected);
  });

  it("rejects malformed identityLinks naming the field", () => {
    expectHubError(() => resolveSessionKey({ channel: "x", peerId: "1" }, { identityLinks: { alice: "x:1" } as never }), "E_INVALID_KEY", /^identityLinks\.alice must be an array/);
    expectHubError(() => resolveSessionKey({ channel: "x", peerId: "1" }, { identityLinks: ["x:1"] as never }), "E_INVALID_KEY", /^identityLinks must be an object/);
  });
});

describe("resolveSessionKey: legacy from forms and inference", () => {
  const cases: Array<[string, SessionKeyContext, ResolveSessionKeyOptions, string]> = [
    ["legacy group:<id> with channel", { channel: "telegram", from: "group:-100777" }, {}, "agent:main:telegram:group:-100777"],
    ["legacy group:<id>@g.us implies whatsapp", { from: "group:555-666@g.us" }, {}, "agent:main:whatsapp:group:555-666@g.us"],
    ["<channel>:channel:<id>", { from: "slack:channel:C42" }, {}, "agent:main:slack:channel:c42"],
    ["channel:<id> with channel given", { channel: "discord", from: "channel:42" }, {}, "agent:main:discord:channel:42"],
    ["<channel>:<id> direct", { from: "telegram:12345" }, {}, "agent:main:telegram:dm:12345"],
    ["<channel>:dm:<id>", { from: "telegram:dm:12345" }, {}, "agent:main:telegram:dm:12345"],
    ["<channel>:direct:<id>", { channel: "telegram", from: "telegram:direct:12345" }, {}, "agent:main:telegram:dm:12345"],
    ["prefix case and alias", { from: "IMSG:+1 555 123 4567" }, {}, "agent:main:imessage:dm:+1 555 123 4567"],
    ["whatsapp JID becomes E.164", { channel: "whatsapp", from: "15551234567@s.whatsapp.net" }, {}, "agent:main:whatsapp:dm:+15551234567"],
    ["whatsapp device JID", { channel: "whatsapp", from: "15551234567:12@s.whatsapp.net" }, {}, "agent:main:whatsapp:dm:+15551234567"],
    ["whatsapp LID kept", { channel: "whatsapp", from: "99887766@lid" }, {}, "agent:main:whatsapp:dm:99887766@lid"],
    ["matrix from without prefix keeps its colon", { channel: "matrix", from: "@Eve:example.org" }, {}, "agent:main:matrix:dm:@Eve%3Aexample.org"],
    ["matrix from with prefix", { from: "matrix:@Eve:example.org" }, {}, "agent:main:matrix:dm:@Eve%3Aexample.org"],
    ["a different prefix than ctx.channel stays part of the id", { channel: "telegram", from: "discord:42" }, {}, "agent:main:telegram:dm:discord%3A42"],
    ["explicit chatType wins over from", { channel: "telegram", chatType: "direct", from: "telegram:group:5" }, {}, "agent:main:telegram:dm:5"],
    ["peerId wins over from", { channel: "telegram", chatType: "group", peerId: "-1", from: "telegram:group:-2" }, {}, "agent:main:telegram:group:-1"],
    ["blank peerId falls back to from", { channel: "telegram", peerId: "  ", from: "telegram:77" }, {}, "agent:main:telegram:dm:77"],
    ["telegram forum from carries its topic", { from: "telegram:group:-100123:topic:42" }, {}, "agent:main:telegram:group:-100123:topic:42"],
    ["explicit threadId wins over the from topic", { from: "telegram:group:-100123:topic:42", threadId: 7 }, {}, "agent:main:telegram:group:-100123:topic:7"],
    ["contains :group: deeper in from", { channel: "x", from: "a:b:group:c" }, {}, "agent:main:x:group:a%3Ab%3Agroup%3Ac"],
    ["direct without a peer falls back to the main key", { channel: "telegram" }, {}, "agent:main:main"],
    ["direct without a peer and a custom mainKey", { channel: "telegram", peerId: "" }, { mainKey: "Home" }, "agent:main:home"],
    ["per-peer needs no channel", { peerId: "+15550001111" }, { dmScope: "per-peer" }, "agent:main:dm:+15550001111"],
    ["numbers are accepted as ids", { channel: "telegram", peerId: 42 as unknown as string }, {}, "agent:main:telegram:dm:42"],
  ];
  it.each(cases)("%s", (_name, ctx, options, expected) => {
    expect(resolveSessionKey(ctx, options)).toBe(expected);
  });
});

describe("resolveSessionKey: threads and topics", () => {
  const cases: Array<[string, SessionKeyContext, ResolveSessionKeyOptions, string]> = [
    ["telegram group topic (number)", { channel: "telegram", chatType: "group", peerId: "-1001", threadId: 5 }, {}, "agent:main:telegram:group:-1001:topic:5"],
    ["telegram channel uses thread", { channel: "telegram", chatType: "channel", peerId: "-1002", threadId: 5 }, {}, "agent:main:telegram:channel:-1002:thread:5"],
    ["discord group thread", { channel: "discord", chatType: "group", peerId: "1", threadId: "999" }, {}, "agent:main:discord:group:1:thread:999"],
    ["matrix thread keeps case", { channel: "matrix", chatType: "channel", peerId: "!R:s", threadId: "$EvT:s" }, {}, "agent:main:matrix:channel:!R%3As:thread:$EvT%3As"],
    ["slack thread id lower-cased", { channel: "slack", chatType: "channel", peerId: "C1", threadId: "ABC" }, {}, "agent:main:slack:channel:c1:thread:abc"],
    ["direct thread per-channel-peer", { channel: "slack", peerId: "U1", threadId: "1.2" }, {}, "agent:main:slack:dm:u1:thread:1.2"],
    ["direct thread per-peer", { channel: "slack", peerId: "U1", threadId: "1.2" }, { dmScope: "per-peer" }, "agent:main:dm:u1:thread:1.2"],
    ["direct thread main scope", { channel: "slack", peerId: "U1", threadId: "1.2" }, { dmScope: "main" }, "agent:main:main:thread:1.2"],
    ["direct thread per-account", { channel: "slack", peerId: "U1", threadId: "1.2", accountId: "T" }, { dmScope: "per-account-channel-peer" }, "agent:main:slack:t:dm:u1:thread:1.2"],
    ["thread id with a colon is encoded", { channel: "discord", chatType: "group", peerId: "1", threadId: "a:b" }, {}, "agent:main:discord:group:1:thread:a%3Ab"],
    ["an id that is a grammar word", { channel: "discord", chatType: "group", peerId: "thread", threadId: "topic" }, {}, "agent:main:discord:group:thread:thread:topic"],
  ];
  it.each(cases)("%s", (_name, ctx, options, expected) => {
    const key = resolveSessionKey(ctx, options);
    expect(key).toBe(expected);
    expect(parseSessionKey(key)?.threadId).toBeDefined();
  });
});

describe("resolveSessionKey: options and case rules", () => {
  const cases: Array<[string, SessionKeyContext, ResolveSessionKeyOptions, string]> = [
    ["agentId is normalized", { channel: "telegram", peerId: "1" }, { agentId: " Work Bot " }, "agent:work-bot:telegram:dm:1"],
    ["reserved agentId falls back to main", { channel: "telegram", peerId: "1" }, { agentId: "__proto__" }, "agent:main:telegram:dm:1"],
    ["caseSensitiveChannels replaces the default", { channel: "matrix", chatType: "group", peerId: "!AB:x" }, { caseSensitiveChannels: ["slack"] }, "agent:main:matrix:group:!ab%3Ax"],
    ["caseSensitiveChannels entries are normalized", { channel: "slack", chatType: "channel", peerId: "C1" }, { caseSensitiveChannels: [" SLACK "] }, "agent:main:slack:channel:C1"],
    ["blank threadId is no thread", { channel: "telegram", chatType: "group", peerId: "-1", threadId: "  " }, {}, "agent:main:telegram:group:-1"],
    ["ids are trimmed", { channel: "telegram", chatType: "group", peerId: "  -5  " }, {}, "agent:main:telegram:group:-5"],
    ["percent is encoded", { channel: "discord", chatType: "group", peerId: "100%:x" }, {}, "agent:main:discord:group:100%25%3Ax"],
    ["unicode ids are lower-cased", { channel: "telegram", chatType: "group", peerId: "ÉQUIPE" }, {}, "agent:main:telegram:group:équipe"],
    ["chatType aliases dm and room", { channel: "slack", chatType: "dm", peerId: "U2" }, {}, "agent:main:slack:dm:u2"],
    ["chatType is read case-insensitively", { channel: "slack", chatType: "GROUP" as never, peerId: "G2" }, {}, "agent:main:slack:group:g2"],
    ["channel alias gchat", { channel: "gchat", chatType: "group", peerId: "spaces/AAA" }, {}, "agent:main:googlechat:group:spaces/aaa"],
    ["account id normalized, default when absent", { channel: "telegram", peerId: "1" }, { dmScope: "per-account-channel-peer" }, "agent:main:telegram:default:dm:1"],
    ["explicit sessionKey with direct marker", { sessionKey: "agent:main:telegram:direct:5550001" }, {}, "agent:main:telegram:dm:5550001"],
    ["explicit bare main uses the mainKey", { sessionKey: "main" }, { mainKey: "work", agentId: "ops" }, "agent:ops:work"],
    ["explicit cron key kept as given", { sessionKey: "cron:Nightly-Digest" }, {}, "cron:Nightly-Digest"],
    ["explicit hook key kept as given", { sessionKey: " hook:GitHub:push " }, {}, "hook:GitHub:push"],
    ["explicit node key kept as given", { sessionKey: "node-Mac-Mini" }, {}, "node-Mac-Mini"],
    ["explicit global", { sessionKey: "global" }, {}, "global"],
    ["explicit legacy group with ctx.channel", { sessionKey: "group:Team", channel: "slack" }, {}, "agent:main:slack:group:team"],
    ["explicit legacy group without channel kept", { sessionKey: "group:legacy-team" }, {}, "group:legacy-team"],
    ["explicit bare key is scoped to the agent", { sessionKey: "discord:group:123" }, { agentId: "ops" }, "agent:ops:discord:group:123"],
    ["explicit unencoded matrix key gets encoded", { sessionKey: "agent:main:matrix:channel:!AbC:example.org" }, {}, "agent:main:matrix:channel:!AbC%3Aexample.org"],
    ["blank sessionKey is ignored", { sessionKey: "  ", channel: "telegram", peerId: "1" }, {}, "agent:main:telegram:dm:1"],
  ];
  it.each(cases)("%s", (_name, ctx, options, expected) => {
    expect(resolveSessionKey(ctx, options)).toBe(expected);
  });
});

describe("resolveSessionKey: when no key can be formed", () => {
  it("a group without a channel", () => {
    expectHubError(() => resolveSessionKey({ chatType: "group", peerId: "1" }), "E_INVALID_KEY", /^channel is required for a group message: ctx\.channel is undefined/);
  });
  it("a group without an id", () => {
    expectHubError(() => resolveSessionKey({ channel: "slack", chatType: "channel" }), "E_INVALID_KEY", /^peerId \(or from\) must name the channel/);
    expectHubError(() => resolveSessionKey({ from: "discord:group: " }), "E_INVALID_KEY", /^peerId \(or from\)/);
  });
  it("a per-channel-peer direct message whose channel is unknown", () => {
    expectHubError(() => resolveSessionKey({ peerId: "1" }), "E_INVALID_KEY", /^channel is required for dmScope per-channel-peer/);
    expectHubError(() => resolveSessionKey({ from: "@alice:example.org" }, { dmScope: "per-account-channel-peer" }), "E_INVALID_KEY", /^channel is required/);
  });
  it("a channel, account id or main key that is a grammar word", () => {
    expectHubError(() => resolveSessionKey({ channel: "DM", peerId: "1" }), "E_INVALID_KEY", /^channel must not be one of dm, direct, group, channel/);
    expectHubError(() => resolveSessionKey({ channel: "x", peerId: "1", accountId: "group" }, { dmScope: "per-account-channel-peer" }), "E_INVALID_KEY", /^accountId must not be/);
    expectHubError(() => resolveSessionKey({ channel: "x" }, { mainKey: "direct" }), "E_INVALID_KEY", /^mainKey must not be/);
  });
  it("unknown chatType, dmScope, scope", () => {
    expectHubError(() => resolveSessionKey({ channel: "x", chatType: "supergroup" as never }), "E_INVALID_KEY", /^chatType must be one of direct, dm, group, channel, room, got "supergroup"/);
    expectHubError(() => resolveSessionKey({ channel: "x" }, { dmScope: "per-sender" as never }), "E_INVALID_KEY", /^dmScope must be one of/);
    expectHubError(() => resolveSessionKey({ channel: "x" }, { scope: "local" as never }), "E_INVALID_KEY", /^scope must be "per-sender" or "global", got "local"/);
  });
  it("a malformed explicit agent key", () => {
    expectHubError(() => resolveSessionKey({ sessionKey: "agent:" }), "E_INVALID_KEY", /^sessionKey must be agent:<agentId>:<rest>/);
    expectHubError(() => resolveSessionKey({ sessionKey: "agent::main" }), "E_INVALID_KEY", /^sessionKey must be/);
    expectHubError(() => resolveSessionKey({ sessionKey: "a::b" }), "E_INVALID_KEY", /^sessionKey must be a session key/);
  });
  it("a ctx that is not an object", () => {
    expectHubError(() => resolveSessionKey(null as never), "E_INVALID_KEY", /^ctx must be an object, got null/);
  });
  it("does not modify the caller's objects", () => {
    const ctx = Object.freeze({ channel: "telegram", peerId: "1" });
    const links = Object.freeze({ a: Object.freeze(["telegram:1"]) });
    const options = Object.freeze({ identityLinks: links, caseSensitiveChannels: Object.freeze(["matrix"]) });
    expect(resolveSessionKey(ctx, options)).toBe("agent:main:dm:a");
  });
});
