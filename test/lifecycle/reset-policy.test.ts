import { describe, expect, it } from "vitest";
import { resolveResetPolicy, sessionTypeOf } from "../../src/lifecycle/reset-policy.js";
import type { SessionResetConfig } from "../../src/lifecycle/types.js";

const DM = "agent:main:telegram:dm:111";
const GROUP = "agent:main:whatsapp:group:123@g.us";
const CHANNEL = "agent:main:discord:channel:998877";
const TOPIC = "agent:main:telegram:group:-100123:topic:99";
const THREAD = "agent:main:slack:channel:c1:thread:111.222";

describe("sessionTypeOf", () => {
  it.each([
    [DM, false, "dm"],
    ["agent:main:main", false, "dm"],
    ["agent:main:dm:alice", false, "dm"],
    ["agent:main:telegram:direct:5550001", false, "dm"],
    [GROUP, false, "group"],
    [CHANNEL, false, "group"],
    ["group:legacy-team", false, "group"],
    [TOPIC, false, "thread"],
    [THREAD, false, "thread"],
    ["agent:main:main:thread:42", false, "thread"],
    [GROUP, true, "thread"],
    [DM, true, "thread"],
    ["cron:nightly", false, "dm"],
    ["weird key with spaces:thread:1", false, "thread"],
  ] as const)("%s (isThread %s) is %s", (key, isThread, type) => {
    expect(sessionTypeOf(key, isThread)).toBe(type);
  });
});

// [name, config, context, expected]
type Vector = [string, SessionResetConfig | undefined, { sessionKey: string; channel?: string; isThread?: boolean }, object];

const VECTORS: Vector[] = [
  ["no config: daily at 4", undefined, { sessionKey: DM }, { mode: "daily", atHour: 4 }],
  ["empty config: daily at 4", {}, { sessionKey: GROUP }, { mode: "daily", atHour: 4 }],
  ["legacy idleMinutes alone: idle mode", { idleMinutes: 30 }, { sessionKey: DM }, { mode: "idle", atHour: 4, idleMinutes: 30 }],
  [
    "legacy idleMinutes with reset: daily, idle falls back to legacy",
    { idleMinutes: 30, reset: { atHour: 5 } },
    { sessionKey: DM },
    { mode: "daily", atHour: 5, idleMinutes: 30 },
  ],
  [
    "legacy idleMinutes with resetByType only: daily",
    { idleMinutes: 30, resetByType: { group: { atHour: 6 } } },
    { sessionKey: DM },
    { mode: "daily", atHour: 4, idleMinutes: 30 },
  ],
  ["idle mode without minutes: 60", { reset: { mode: "idle" } }, { sessionKey: DM }, { mode: "idle", atHour: 4, idleMinutes: 60 }],
  [
    "daily with idleMinutes keeps both",
    { reset: { mode: "daily", atHour: 4, idleMinutes: 120 } },
    { sessionKey: DM },
    { mode: "daily", atHour: 4, idleMinutes: 120 },
  ],
  ["never drops idleMinutes", { reset: { mode: "never", idleMinutes: 120 }, idleMinutes: 5 }, { sessionKey: DM }, { mode: "never", atHour: 4 }],
  [
    "resetByType.dm over reset, field by field",
    { reset: { mode: "daily", atHour: 3, idleMinutes: 120 }, resetByType: { dm: { mode: "idle", idleMinutes: 240 } } },
    { sessionKey: DM },
    { mode: "idle", atHour: 3, idleMinutes: 240 },
  ],
  [
    "resetByType.direct is an alias of dm",
    { reset: { atHour: 3 }, resetByType: { direct: { idleMinutes: 15 } } },
    { sessionKey: DM },
    { mode: "daily", atHour: 3, idleMinutes: 15 },
  ],
  [
    "resetByType.dm wins over direct",
    { resetByType: { dm: { atHour: 7 }, direct: { atHour: 8 } } },
    { sessionKey: DM },
    { mode: "daily", atHour: 7 },
  ],
  [
    "the main key is a dm",
    { resetByType: { dm: { mode: "never" }, group: { mode: "idle" } } },
    { sessionKey: "agent:main:main" },
    { mode: "never", atHour: 4 },
  ],
  [
    "group keys use resetByType.group",
    { resetByType: { dm: { mode: "never" }, group: { mode: "idle", idleMinutes: 10 } } },
    { sessionKey: GROUP },
    { mode: "idle", atHour: 4, idleMinutes: 10 },
  ],
  [
    "channel keys are groups",
    { resetByType: { group: { atHour: 9 } } },
    { sessionKey: CHANNEL },
    { mode: "daily", atHour: 9 },
  ],
  [
    "topics use resetByType.thread",
    { resetByType: { group: { atHour: 9 }, thread: { atHour: 10 } } },
    { sessionKey: TOPIC },
    { mode: "daily", atHour: 10 },
  ],
  [
    "threads use resetByType.thread",
    { resetByType: { group: { atHour: 9 }, thread: { mode: "idle" } } },
    { sessionKey: THREAD },
    { mode: "idle", atHour: 4, idleMinutes: 60 },
  ],
  [
    "isThread makes a group key a thread",
    { resetByType: { group: { atHour: 9 }, thread: { atHour: 10 } } },
    { sessionKey: GROUP, isThread: true },
    { mode: "daily", atHour: 10 },
  ],
  [
    "no type policy: the base reset",
    { reset: { mode: "idle", idleMinutes: 45 }, resetByType: { group: { atHour: 9 } } },
    { sessionKey: THREAD },
    { mode: "idle", atHour: 4, idleMinutes: 45 },
  ],
  [
    "resetByChannel replaces everything for its channel (key's channel)",
    {
      reset: { mode: "daily", atHour: 3, idleMinutes: 30 },
      resetByType: { group: { mode: "never" } },
      idleMinutes: 5,
      resetByChannel: { discord: { mode: "idle", idleMinutes: 10080 } },
    },
    { sessionKey: CHANNEL },
    { mode: "idle", atHour: 4, idleMinutes: 10080 },
  ],
  [
    "resetByChannel without mode: daily, no inherited idle",
    { reset: { idleMinutes: 30 }, idleMinutes: 5, resetByChannel: { discord: { atHour: 6 } } },
    { sessionKey: CHANNEL },
    { mode: "daily", atHour: 6 },
  ],
  [
    "resetByChannel by the context's channel (main key has none)",
    { resetByChannel: { telegram: { mode: "never" } } },
    { sessionKey: "agent:main:main", channel: "Telegram" },
    { mode: "never", atHour: 4 },
  ],
  [
    "resetByChannel names are normalized",
    { resetByChannel: { IMSG: { mode: "never" } } },
    { sessionKey: "agent:main:imessage:dm:+15550001" },
    { mode: "never", atHour: 4 },
  ],
  [
    "resetByChannel of another channel does not apply",
    { reset: { atHour: 2 }, resetByChannel: { discord: { mode: "never" } } },
    { sessionKey: DM },
    { mode: "daily", atHour: 2 },
  ],
  ["the session timezone", { timezone: "Europe/Berlin" }, { sessionKey: DM }, { mode: "daily", atHour: 4, timezone: "Europe/Berlin" }],
  [
    "a policy timezone over the session's",
    { timezone: "Europe/Berlin", resetByType: { dm: { timezone: "Asia/Kolkata" } } },
    { sessionKey: DM },
    { mode: "daily", atHour: 4, timezone: "Asia/Kolkata" },
  ],
  [
    "the session timezone also applies to a channel policy",
    { timezone: "UTC", resetByChannel: { discord: { mode: "daily", atHour: 1 } } },
    { sessionKey: CHANNEL },
    { mode: "daily", atHour: 1, timezone: "UTC" },
  ],
];

describe("resolveResetPolicy", () => {
  it.each(VECTORS)("%s", (_name, config, context, expected) => {
    expect(resolveResetPolicy(config, context)).toEqual(expected);
  });

  it("does not modify the config", () => {
    const config: SessionResetConfig = { reset: { mode: "idle" }, resetByType: { dm: { atHour: 2 } } };
    const copy = structuredClone(config);
    resolveResetPolicy(config, { sessionKey: DM });
    expect(config).toEqual(copy);
  });

  it.each([
    [{ reset: { atHour: 24 } }, "session.reset.atHour: expected an integer 0-23, got 24"],
    [{ reset: { atHour: 3.5 } }, "session.reset.atHour: expected an integer 0-23, got 3.5"],
    [{ resetByType: { dm: { idleMinutes: 0 } } }, "session.resetByType.dm.idleMinutes: expected a number of minutes > 0, got 0"],
    [{ resetByType: { direct: { idleMinutes: -1 } } }, "session.resetByType.direct.idleMinutes: expected a number of minutes > 0, got -1"],
    [{ idleMinutes: Number.NaN }, "session.idleMinutes: expected a number of minutes > 0, got NaN"],
    [{ reset: { mode: "weekly" as never } }, 'session.reset.mode: expected "daily", "idle" or "never", got "weekly"'],
    [{ resetByChannel: { telegram: { atHour: -1 } } }, "session.resetByChannel.telegram.atHour: expected an integer 0-23, got -1"],
    [{ timezone: "Mars/Base" }, 'session.timezone: expected an IANA time zone such as "Europe/Berlin", got "Mars/Base"'],
  ])("rejects %j with E_INVALID_CONFIG", (config, message) => {
    expect(() => resolveResetPolicy(config as SessionResetConfig, { sessionKey: DM })).toThrowError(
      expect.objectContaining({ code: "E_INVALID_CONFIG", message }),
    );
  });

  it("rejects a missing sessionKey with E_INVALID_ARGUMENT", () => {
    expect(() => resolveResetPolicy({}, { sessionKey: undefined as never })).toThrowError(expect.objectContaining({ code: "E_INVALID_ARGUMENT" }));
  });
});
