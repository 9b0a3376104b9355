/**
 * `validateConfig`: the SPEC 9 shape, and errors that name the path, what was expected and
 * what was found, always as `HubError` `E_INVALID_CONFIG`.
 */
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.js";
import { HubError } from "../../src/errors.js";

/** The error `validateConfig` throws for `input` (fails the test when it does not throw). */
function errorOf(input: unknown): HubError {
  try {
    validateConfig(input);
  } catch (error) {
    if (error instanceof HubError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

/** The whole SPEC 9 example. */
const SPEC_EXAMPLE = {
  session: {
    dmScope: "per-channel-peer",
    mainKey: "main",
    scope: "per-sender",
    identityLinks: { alice: ["telegram:123456789", "discord:987654321012345678"] },
    reset: { mode: "daily", atHour: 4, idleMinutes: 120 },
    timezone: "Europe/Berlin",
    resetByType: { thread: { mode: "daily", atHour: 4 }, dm: { mode: "idle", idleMinutes: 240 } },
    resetByChannel: { discord: { mode: "idle", idleMinutes: 10080 } },
    resetTriggers: ["/new", "/reset"],
    sendPolicy: { rules: [{ action: "deny", match: { channel: "discord", chatType: "group" } }], default: "allow" },
    store: "~/.hub/agents/{agentId}/sessions/sessions.json",
    maintenance: { pruneAfter: "30d", maxEntries: 500 },
  },
  messages: { dedupe: { ttl: "24h" }, inbound: { debounceMs: 2000, byChannel: { whatsapp: 5000 } } },
} as const;

describe("valid configuration", () => {
  it("accepts the SPEC 9 example unchanged", () => {
    expect(validateConfig(SPEC_EXAMPLE)).toEqual(SPEC_EXAMPLE);
  });

  it.each([[undefined], [null], [{}], [{ session: {} }], [{ messages: {} }]])("accepts %j as the defaults", (input) => {
    expect(validateConfig(input)).toEqual(input ?? {});
  });

  it("accepts and drops keys of clawdbot's config that it does not use (users copy theirs)", () => {
    expect(validateConfig({ session: { typingIntervalSeconds: 6, reset: { mode: "never" } }, agents: {} })).toEqual({ session: { reset: { mode: "never" } } });
  });

  it.each([["90m"], ["12h"], [" 7 days "], [3_600_000]])("accepts the duration %j", (ttl) => {
    expect(validateConfig({ messages: { dedupe: { ttl } } })).toEqual({ messages: { dedupe: { ttl } } });
  });

  it("does not mutate the caller's object", () => {
    const input = structuredClone(SPEC_EXAMPLE);
    validateConfig(input);
    expect(input).toEqual(SPEC_EXAMPLE);
  });
});

describe("invalid configuration: path, expectation, what was found", () => {
  it.each([
    [{ session: { reset: { atHour: 25 } } }, "session.reset.atHour: expected an integer 0-23, got 25"],
    [{ session: { reset: { atHour: 2.5 } } }, "session.reset.atHour: expected an integer 0-23, got 2.5"],
    [{ session: { reset: { atHour: "4" } } }, 'session.reset.atHour: expected an integer 0-23, got "4"'],
    [{ session: { reset: { mode: "weekly" } } }, 'session.reset.mode: expected "daily", "idle" or "never", got "weekly"'],
    [{ session: { resetByType: { dm: { idleMinutes: 0 } } } }, "session.resetByType.dm.idleMinutes: expected a number > 0, got 0"],
    [{ session: { resetByChannel: { discord: { idleMinutes: -5 } } } }, "session.resetByChannel.discord.idleMinutes: expected a number > 0, got -5"],
    [{ session: { idleMinutes: "60" } }, 'session.idleMinutes: expected a number > 0, got "60"'],
    [{ session: { timezone: "Mars/Olympus" } }, 'session.timezone: expected an IANA time zone such as "Europe/Berlin", got "Mars/Olympus"'],
    [{ session: { reset: { timezone: "Berlin" } } }, 'session.reset.timezone: expected an IANA time zone such as "Europe/Berlin", got "Berlin"'],
    [{ session: { timezone: 5 } }, "session.timezone: expected a string, got 5"],
    [{ session: { dmScope: "per-user" } }, 'session.dmScope: expected "main", "per-peer", "per-channel-peer" or "per-account-channel-peer", got "per-user"'],
    [{ session: { scope: "everyone" } }, 'session.scope: expected "per-sender" or "global", got "everyone"'],
    [{ session: { mainKey: "" } }, 'session.mainKey: expected a non-empty string, got ""'],
    [{ session: { identityLinks: { alice: "telegram:1" } } }, 'session.identityLinks.alice: expected an array, got "telegram:1"'],
    [{ session: { resetTriggers: ["/new", ""] } }, 'session.resetTriggers[1]: expected a non-empty trigger, got ""'],
    [{ session: { sendPolicy: { rules: [{ action: "block" }] } } }, 'session.sendPolicy.rules[0].action: expected "allow" or "deny", got "block"'],
    [{ session: { sendPolicy: { default: "maybe" } } }, 'session.sendPolicy.default: expected "allow" or "deny", got "maybe"'],
    [
      { session: { sendPolicy: { rules: [{ action: "deny", match: { chatType: "dm" } }] } } },
      'session.sendPolicy.rules[0].match.chatType: expected "direct", "group" or "channel", got "dm"',
    ],
    [{ session: { store: 7 } }, "session.store: expected a string, got 7"],
    [{ session: { maintenance: { pruneAfter: "soon" } } }, 'session.maintenance.pruneAfter: expected a positive duration such as "30d", "12h", "90m" or a number of ms, got "soon"'],
    [{ session: { maintenance: { pruneAfter: 0 } } }, 'session.maintenance.pruneAfter: expected a positive duration such as "30d", "12h", "90m" or a number of ms, got 0'],
    [{ session: { maintenance: { archiveRetention: true } } }, 'session.maintenance.archiveRetention: expected a positive duration such as "30d", "12h", "90m" or a number of ms, got true'],
    [{ session: { maintenance: { maxEntries: 0 } } }, "session.maintenance.maxEntries: expected an integer > 0, got 0"],
    [{ session: { maintenance: { maxEntries: 2.5 } } }, "session.maintenance.maxEntries: expected an integer > 0, got 2.5"],
    [{ messages: { dedupe: { ttl: "forever" } } }, 'messages.dedupe.ttl: expected a positive duration such as "30d", "12h", "90m" or a number of ms, got "forever"'],
    [{ messages: { inbound: { debounceMs: -1 } } }, "messages.inbound.debounceMs: expected an integer >= 0, got -1"],
    [{ messages: { inbound: { byChannel: { whatsapp: "5s" } } } }, 'messages.inbound.byChannel.whatsapp: expected an integer >= 0, got "5s"'],
    [{ session: "main" }, 'session: expected an object, got "main"'],
    [[], "(root): expected an object, got an array"],
    ["session", '(root): expected an object, got "session"'],
  ])("%j → %s", (input, detail) => {
    const error = errorOf(input);
    expect(error.code).toBe("E_INVALID_CONFIG");
    expect(error.message).toBe(`invalid config: ${detail}`);
  });

  it("names an unknown key in a strict object (a typo in a policy)", () => {
    expect(errorOf({ session: { reset: { mode: "daily", atHours: 4 } } }).message).toBe('invalid config: session.reset: unknown key "atHours"');
    expect(errorOf({ session: { resetByType: { dms: {} } } }).message).toBe('invalid config: session.resetByType: unknown key "dms"');
    expect(errorOf({ messages: { inbound: { debounce: 1, delay: 2 } } }).message).toBe('invalid config: messages.inbound: unknown keys "debounce", "delay"');
  });

  it("reports every problem at once, separated by semicolons", () => {
    const error = errorOf({ session: { reset: { atHour: 25, mode: "weekly" }, dmScope: 3 } });
    expect(error.code).toBe("E_INVALID_CONFIG");
    expect(error.message.startsWith("invalid config: ")).toBe(true);
    expect(error.message.slice("invalid config: ".length).split("; ").sort()).toEqual([
      'session.dmScope: expected "main", "per-peer", "per-channel-peer" or "per-account-channel-peer", got 3',
      "session.reset.atHour: expected an integer 0-23, got 25",
      'session.reset.mode: expected "daily", "idle" or "never", got "weekly"',
    ]);
  });

  it("keeps zod's error as the cause", () => {
    expect(errorOf({ session: { reset: { atHour: 25 } } }).cause).toBeInstanceOf(Error);
  });
});
