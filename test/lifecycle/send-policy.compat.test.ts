/**
 * clawdbot/openclaw's send-policy cases, run against our code (their inputs, their expected
 * outputs). Sources:
 * - openclaw/openclaw src/sessions/send-policy.test.ts (and moltbot/moltbot, same cases)
 * - openclaw/openclaw src/sessions/send-policy.ts: `rawKeyPrefix` matches the raw key
 *   including `agent:<id>:`, `keyPrefix` the raw or the stripped key; entry values are
 *   trimmed and lower-cased
 * - moltbot/moltbot src/auto-reply/command-control.test.ts ("requires slash for send policy")
 */
import { describe, expect, it } from "vitest";
import { parseSendCommand, resolveSendPolicy } from "../../src/lifecycle/send-policy.js";

describe("resolveSendPolicy: upstream cases", () => {
  it("defaults to allow", () => {
    expect(resolveSendPolicy({ config: {}, sessionKey: "" })).toBe("allow");
  });

  it("entry override wins", () => {
    expect(resolveSendPolicy({ config: { session: { sendPolicy: { default: "allow" } } }, sessionKey: "", entry: { sendPolicy: "deny" } })).toBe("deny");
  });

  it("rule match by channel + chatType", () => {
    const config = { session: { sendPolicy: { default: "allow" as const, rules: [{ action: "deny" as const, match: { channel: "discord", chatType: "group" } }] } } };
    expect(resolveSendPolicy({ config, sessionKey: "discord:group:dev", entry: { channel: "discord", chatType: "group" } })).toBe("deny");
  });

  it("rule match by keyPrefix", () => {
    const config = { session: { sendPolicy: { default: "allow" as const, rules: [{ action: "deny" as const, match: { keyPrefix: "cron:" } }] } } };
    expect(resolveSendPolicy({ config, sessionKey: "cron:job-1" })).toBe("deny");
  });

  it("an entry's sendPolicy is read case-insensitively (normalizeSendPolicy trims and lower-cases)", () => {
    expect(resolveSendPolicy({ sessionKey: "agent:main:main", entry: { sendPolicy: "DENY" as never } })).toBe("deny");
    expect(resolveSendPolicy({ sessionKey: "agent:main:main", entry: { sendPolicy: " Deny " as never } })).toBe("deny");
    const denyAll = { rules: [{ action: "deny" as const }] };
    expect(resolveSendPolicy({ config: denyAll, sessionKey: "agent:main:main", entry: { sendPolicy: "Allow" as never } })).toBe("allow");
  });
});

describe("resolveSendPolicy: rawKeyPrefix", () => {
  const rule = (match: Record<string, string>) => ({ rules: [{ action: "deny" as const, match }] });

  it.each([
    ["the raw key with its agent prefix", { rawKeyPrefix: "agent:main:discord:" }, "agent:main:discord:group:g1", "deny"],
    ["case-insensitive", { rawKeyPrefix: "Agent:Main:Discord:" }, "agent:main:discord:group:g1", "deny"],
    ["another agent's key does not match", { rawKeyPrefix: "agent:main:discord:" }, "agent:ops:discord:group:g1", "allow"],
    ["the stripped key is not a raw prefix", { rawKeyPrefix: "discord:" }, "agent:main:discord:group:g1", "allow"],
    ["a bare key", { rawKeyPrefix: "cron:" }, "cron:nightly", "deny"],
    ["keyPrefix still matches the stripped key", { keyPrefix: "discord:" }, "agent:ops:discord:group:g1", "deny"],
  ] as const)("%s", (_why, match, sessionKey, expected) => {
    expect(resolveSendPolicy({ config: rule(match), sessionKey })).toBe(expected);
  });

  it("a rule with an unknown match field never matches everything: E_INVALID_CONFIG naming it", () => {
    const config = { rules: [{ action: "deny" as const, match: { keyprefix: "cron:" } as never }] };
    expect(() => resolveSendPolicy({ config, sessionKey: "agent:main:telegram:dm:1" })).toThrowError(
      expect.objectContaining({ code: "E_INVALID_CONFIG", message: 'session.sendPolicy.rules[0].match: unknown key "keyprefix"' }),
    );
  });
});

describe("parseSendCommand: upstream cases (clawdbot's /cmd: args form)", () => {
  it.each([
    ["/send on", { mode: "allow" }],
    ["/send: on", { mode: "allow" }],
    ["/send:off", { mode: "deny" }],
    ["/send :  inherit", { mode: "inherit" }],
    ["/send", {}],
    ["/send:", {}],
    ["send on", null],
    ["send", null],
    ["/sendon", null],
    ["/send: on please", null],
  ])("%j -> %j", (text, expected) => {
    expect(parseSendCommand(text)).toEqual(expected);
  });
});
