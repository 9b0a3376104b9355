import { describe, expect, it } from "vitest";
import { parseSendCommand, resolveSendPolicy, type SendPolicyInput } from "../../src/lifecycle/send-policy.js";
import type { SendPolicyConfig } from "../../src/lifecycle/types.js";

const DISCORD_GROUP = "agent:main:discord:group:g1";
const DISCORD_DM = "agent:main:discord:dm:222";
const TELEGRAM_DM = "agent:main:telegram:dm:111";
const SLACK_CHANNEL = "agent:work:slack:channel:c1";

const DENY_DISCORD_GROUPS: SendPolicyConfig = { rules: [{ action: "deny", match: { channel: "discord", chatType: "group" } }], default: "allow" };

// [why, input, expected]
const TABLE: Array<[string, SendPolicyInput, "allow" | "deny"]> = [
  ["no config: allow", { sessionKey: DISCORD_GROUP }, "allow"],
  ["session section without sendPolicy: allow", { config: { reset: { mode: "daily" } }, sessionKey: DISCORD_GROUP }, "allow"],
  ["matching deny (session section)", { config: { sendPolicy: DENY_DISCORD_GROUPS }, sessionKey: DISCORD_GROUP }, "deny"],
  ["matching deny (sendPolicy object)", { config: DENY_DISCORD_GROUPS, sessionKey: DISCORD_GROUP }, "deny"],
  ["matching deny (whole config)", { config: { session: { sendPolicy: DENY_DISCORD_GROUPS } }, sessionKey: DISCORD_GROUP }, "deny"],
  ["chatType differs: default", { config: DENY_DISCORD_GROUPS, sessionKey: DISCORD_DM }, "allow"],
  ["channel differs: default", { config: DENY_DISCORD_GROUPS, sessionKey: "agent:main:slack:group:g1" }, "allow"],
  ["channel from the input", { config: DENY_DISCORD_GROUPS, sessionKey: "agent:main:main", channel: "Discord", chatType: "group" }, "deny"],
  ["chatType alias dm", { config: { rules: [{ action: "deny", match: { chatType: "dm" } }] }, sessionKey: TELEGRAM_DM }, "deny"],
  ["chatType alias room", { config: { rules: [{ action: "deny", match: { chatType: "room" } }] }, sessionKey: SLACK_CHANNEL }, "deny"],
  ["group does not match channel", { config: { rules: [{ action: "deny", match: { chatType: "group" } }] }, sessionKey: SLACK_CHANNEL }, "allow"],
  [
    "channel and chatType from the entry",
    { config: DENY_DISCORD_GROUPS, sessionKey: "custom-key", entry: { channel: "discord", chatType: "group" } },
    "deny",
  ],
  ["lastChannel from the entry", { config: DENY_DISCORD_GROUPS, sessionKey: "custom-key", entry: { lastChannel: "discord", chatType: "group" } }, "deny"],
  ["entry allow wins over a deny rule", { config: DENY_DISCORD_GROUPS, sessionKey: DISCORD_GROUP, entry: { sendPolicy: "allow" } }, "allow"],
  ["entry deny wins over default allow", { config: {}, sessionKey: TELEGRAM_DM, entry: { sendPolicy: "deny" } }, "deny"],
  ["entry deny wins without config", { sessionKey: TELEGRAM_DM, entry: { sendPolicy: "deny" } }, "deny"],
  ["default deny", { config: { default: "deny" }, sessionKey: TELEGRAM_DM }, "deny"],
  [
    "matching allow beats default deny",
    { config: { default: "deny", rules: [{ action: "allow", match: { channel: "telegram" } }] }, sessionKey: TELEGRAM_DM },
    "allow",
  ],
  [
    "first deny decides even after an allow",
    { config: { rules: [{ action: "allow", match: { channel: "discord" } }, { action: "deny", match: { chatType: "group" } }] }, sessionKey: DISCORD_GROUP },
    "deny",
  ],
  [
    "allow then unmatched deny",
    { config: { default: "deny", rules: [{ action: "allow", match: { channel: "discord" } }, { action: "deny", match: { channel: "slack" } }] }, sessionKey: DISCORD_DM },
    "allow",
  ],
  ["rule without match matches all", { config: { rules: [{ action: "deny" }] }, sessionKey: TELEGRAM_DM }, "deny"],
  ["keyPrefix on the stored key", { config: { rules: [{ action: "deny", match: { keyPrefix: "agent:main:discord:" } }] }, sessionKey: DISCORD_DM }, "deny"],
  ["keyPrefix without agent prefix", { config: { rules: [{ action: "deny", match: { keyPrefix: "discord:" } }] }, sessionKey: DISCORD_DM }, "deny"],
  ["keyPrefix other agent id", { config: { rules: [{ action: "deny", match: { keyPrefix: "slack:channel:" } }] }, sessionKey: SLACK_CHANNEL }, "deny"],
  ["keyPrefix case-insensitive", { config: { rules: [{ action: "deny", match: { keyPrefix: "Discord:DM:" } }] }, sessionKey: DISCORD_DM }, "deny"],
  ["keyPrefix no match", { config: { rules: [{ action: "deny", match: { keyPrefix: "telegram:" } }] }, sessionKey: DISCORD_DM }, "allow"],
  ["keyPrefix on a bare key", { config: { rules: [{ action: "deny", match: { keyPrefix: "cron:" } }] }, sessionKey: "cron:nightly" }, "deny"],
  [
    "all match fields must match",
    { config: { rules: [{ action: "deny", match: { channel: "discord", keyPrefix: "telegram:" } }] }, sessionKey: DISCORD_DM },
    "allow",
  ],
];

describe("resolveSendPolicy", () => {
  it.each(TABLE)("%s", (_why, input, expected) => {
    expect(resolveSendPolicy(input)).toBe(expected);
  });

  it.each([
    [{ rules: [{ action: "block" }] }, 'session.sendPolicy.rules[0].action: expected "allow" or "deny", got "block"'],
    [{ rules: [{ action: "allow" }, "deny"] }, 'session.sendPolicy.rules[1]: expected an object, got "deny"'],
    [{ rules: { action: "deny" } }, "session.sendPolicy.rules: expected an array, got an object"],
    [{ default: "maybe" }, 'session.sendPolicy.default: expected "allow" or "deny", got "maybe"'],
    [{ sendPolicy: "deny" }, 'session.sendPolicy: expected an object, got "deny"'],
  ])("rejects %j with E_INVALID_CONFIG", (config, message) => {
    expect(() => resolveSendPolicy({ config: config as never, sessionKey: TELEGRAM_DM })).toThrowError(
      expect.objectContaining({ code: "E_INVALID_CONFIG", message }),
    );
  });

  it("rejects a missing sessionKey with E_INVALID_ARGUMENT", () => {
    expect(() => resolveSendPolicy({ sessionKey: 7 as never })).toThrowError(expect.objectContaining({ code: "E_INVALID_ARGUMENT" }));
  });
});

describe("parseSendCommand", () => {
  it.each([
    ["/send on", { mode: "allow" }],
    ["/send allow", { mode: "allow" }],
    ["/send off", { mode: "deny" }],
    ["/send deny", { mode: "deny" }],
    ["/send inherit", { mode: "inherit" }],
    ["/send default", { mode: "inherit" }],
    ["/send reset", { mode: "inherit" }],
    ["  /SEND   OFF  ", { mode: "deny" }],
    ["/send@my_bot on", { mode: "allow" }],
    ["/send", {}],
    ["/send maybe", {}],
    ["/send on please", null],
    ["/sender on", null],
    ["please /send on", null],
    ["/new", null],
    ["", null],
  ])("%j -> %j", (text, expected) => {
    expect(parseSendCommand(text)).toEqual(expected);
  });

  it("rejects a non-string with E_INVALID_ARGUMENT", () => {
    expect(() => parseSendCommand(null as never)).toThrowError(expect.objectContaining({ code: "E_INVALID_ARGUMENT" }));
  });
});
