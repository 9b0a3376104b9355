import { describe, expect, it } from "vitest";
import { parseSessionKey, type ParsedSessionKey } from "../../src/keys/index.js";

const cases: Array<[string, string, ParsedSessionKey]> = [
  ["main", "agent:main:main", { kind: "main", agentId: "main", mainKey: "main" }],
  ["custom main key", "agent:ops:work", { kind: "main", agentId: "ops", mainKey: "work" }],
  ["main key with a thread", "agent:main:main:thread:1.2", { kind: "main", agentId: "main", mainKey: "main", threadId: "1.2" }],
  ["per-peer", "agent:main:dm:+15551234567", { kind: "direct", agentId: "main", chatType: "direct", peerId: "+15551234567" }],
  ["per-peer, clawdbot's direct marker", "agent:main:direct:alice", { kind: "direct", agentId: "main", chatType: "direct", peerId: "alice" }],
  ["per-channel-peer", "agent:main:telegram:dm:111", { kind: "direct", agentId: "main", channel: "telegram", chatType: "direct", peerId: "111" }],
  ["per-channel-peer, direct marker", "agent:main:telegram:direct:5550001", { kind: "direct", agentId: "main", channel: "telegram", chatType: "direct", peerId: "5550001" }],
  [
    "per-account-channel-peer",
    "agent:main:telegram:tasks:dm:7550356539",
    { kind: "direct", agentId: "main", channel: "telegram", accountId: "tasks", chatType: "direct", peerId: "7550356539" },
  ],
  [
    "per-account with an account named like a thread marker",
    "agent:main:telegram:thread:dm:1",
    { kind: "direct", agentId: "main", channel: "telegram", accountId: "thread", chatType: "direct", peerId: "1" },
  ],
  ["group", "agent:main:discord:group:12345", { kind: "group", agentId: "main", channel: "discord", chatType: "group", peerId: "12345" }],
  ["channel", "agent:main:slack:channel:c1", { kind: "channel", agentId: "main", channel: "slack", chatType: "channel", peerId: "c1" }],
  ["channel with thread", "agent:main:slack:channel:c1:thread:111.222", { kind: "channel", agentId: "main", channel: "slack", chatType: "channel", peerId: "c1", threadId: "111.222" }],
  ["topic", "agent:main:telegram:group:-100:topic:99", { kind: "group", agentId: "main", channel: "telegram", chatType: "group", peerId: "-100", threadId: "99" }],
  ["encoded ids are decoded", "agent:main:matrix:channel:!AbC%3Aexample.org", { kind: "channel", agentId: "main", channel: "matrix", chatType: "channel", peerId: "!AbC:example.org" }],
  ["%25 decodes once", "agent:main:x:group:a%253Ab", { kind: "group", agentId: "main", channel: "x", chatType: "group", peerId: "a%3Ab" }],
  ["lower-case escapes", "agent:main:x:group:a%3ab", { kind: "group", agentId: "main", channel: "x", chatType: "group", peerId: "a:b" }],
  ["other % sequences stay", "agent:main:x:group:50%off%20", { kind: "group", agentId: "main", channel: "x", chatType: "group", peerId: "50%off%20" }],
  ["clawdbot unencoded matrix id", "agent:main:matrix:channel:!abc:example.org", { kind: "channel", agentId: "main", channel: "matrix", chatType: "channel", peerId: "!abc:example.org" }],
  [
    "clawdbot unencoded id and thread",
    "agent:main:matrix:channel:!r:srv:thread:$e:srv",
    { kind: "channel", agentId: "main", channel: "matrix", chatType: "channel", peerId: "!r:srv", threadId: "$e:srv" },
  ],
  ["clawdbot unencoded per-peer id", "agent:main:dm:@alice:matrix.org", { kind: "direct", agentId: "main", chatType: "direct", peerId: "@alice:matrix.org" }],
  ["ids that are grammar words", "agent:main:x:group:thread:thread:topic", { kind: "group", agentId: "main", channel: "x", chatType: "group", peerId: "thread", threadId: "topic" }],
  ["ids keep their case", "agent:main:slack:channel:C1", { kind: "channel", agentId: "main", channel: "slack", chatType: "channel", peerId: "C1" }],
  ["structural parts normalized", " Agent:Main:TELEGRAM:DM:111 ", { kind: "direct", agentId: "main", channel: "telegram", chatType: "direct", peerId: "111" }],
  ["channel alias", "agent:main:imsg:dm:x", { kind: "direct", agentId: "main", channel: "imessage", chatType: "direct", peerId: "x" }],
  ["agent cron key", "agent:main:cron:nightly:run:1", { kind: "cron", agentId: "main" }],
  ["agent hook key", "agent:main:hook:gmail", { kind: "hook", agentId: "main" }],
  ["unknown agent key", "agent:main:subagent:abc", { kind: "other", agentId: "main" }],
  ["main key that is a grammar word", "agent:main:dm", { kind: "other", agentId: "main" }],
  ["cron", "cron:nightly-digest", { kind: "cron" }],
  ["hook", "hook:github:push", { kind: "hook" }],
  ["node", "node-mac-mini", { kind: "node" }],
  ["global", "global", { kind: "global" }],
  ["GLOBAL", "GLOBAL", { kind: "global" }],
  ["legacy group key", "group:legacy-team", { kind: "group", chatType: "group", peerId: "legacy-team" }],
  ["legacy whatsapp group key", "group:123@g.us", { kind: "group", chatType: "group", peerId: "123@g.us" }],
  ["legacy pre-agent group key", "whatsapp:group:123@g.us", { kind: "group", channel: "whatsapp", chatType: "group", peerId: "123@g.us" }],
  ["legacy pre-agent channel key", "discord:channel:998877", { kind: "channel", channel: "discord", chatType: "channel", peerId: "998877" }],
  ["bare word", "main", { kind: "other" }],
  ["bare custom key", "webchat:abc", { kind: "other" }],
];

describe("parseSessionKey", () => {
  it.each(cases)("%s", (_name, key, expected) => {
    expect(parseSessionKey(key)).toStrictEqual(expected);
  });

  const nonKeys: Array<[string, unknown]> = [
    ["empty", ""],
    ["blank", "  \n\t"],
    ["undefined", undefined],
    ["a number", 42],
    ["an object", { key: "agent:main:main" }],
    ["agent prefix only", "agent:"],
    ["no rest", "agent:main"],
    ["empty agent", "agent::main"],
    ["invalid agent id", "agent:!!!:main"],
    ["reserved agent id", "agent:__proto__:main"],
    ["empty part", "agent:main:telegram::dm:1"],
    ["blank part", "agent:main:telegram:dm: "],
    ["trailing colon", "agent:main:main:"],
    ["text with spaces", "not a key"],
    ["bare empty part", "a::b"],
    ["leading colon", ":x"],
    ["empty cron", "cron:"],
    ["blank legacy group", "group: "],
  ];
  it.each(nonKeys)("null for %s", (_name, value) => {
    expect(parseSessionKey(value as string)).toBeNull();
  });
});
