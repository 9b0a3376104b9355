import { describe, expect, it } from "vitest";
import { evaluateFreshness, type FreshnessPolicy } from "../../src/lifecycle/freshness.js";

const at = (iso: string) => Date.parse(iso);

// [why, policy, updatedAt, now, expected]
type Vector = [string, FreshnessPolicy, string, string, { fresh: boolean; reason?: "daily" | "idle" }];
const daily = (timezone: string, atHour = 4): FreshnessPolicy => ({ mode: "daily", atHour, timezone });

const VECTORS: Vector[] = [
  ["UTC: same side of 04:00", daily("UTC"), "2026-03-10T04:00:00Z", "2026-03-10T23:59:00Z", { fresh: true }],
  ["UTC: crossed 04:00", daily("UTC"), "2026-03-10T03:59:59Z", "2026-03-10T04:00:00Z", { fresh: false, reason: "daily" }],
  ["UTC: updatedAt exactly at the boundary is fresh", daily("UTC"), "2026-03-10T04:00:00Z", "2026-03-11T03:59:59Z", { fresh: true }],
  ["UTC: days later", daily("UTC"), "2026-03-01T12:00:00Z", "2026-03-10T01:00:00Z", { fresh: false, reason: "daily" }],
  // New York spring forward (2026-03-08 02:00 EST -> 03:00 EDT = 07:00Z).
  ["NY: 04:00 EDT on the spring day", daily("America/New_York"), "2026-03-08T07:30:00Z", "2026-03-08T08:00:00Z", { fresh: false, reason: "daily" }],
  ["NY: before 04:00 EDT", daily("America/New_York"), "2026-03-08T07:30:00Z", "2026-03-08T07:59:59Z", { fresh: true }],
  ["NY: missing 02:00 resets at the jump", daily("America/New_York", 2), "2026-03-08T06:59:00Z", "2026-03-08T07:00:00Z", { fresh: false, reason: "daily" }],
  ["NY: missing 02:00 resets only once", daily("America/New_York", 2), "2026-03-08T07:00:00Z", "2026-03-09T05:59:00Z", { fresh: true }],
  // New York fall back (2026-11-01 02:00 EDT -> 01:00 EST = 06:00Z).
  ["NY: repeated 01:00 resets at the first", daily("America/New_York", 1), "2026-11-01T04:59:00Z", "2026-11-01T05:00:00Z", { fresh: false, reason: "daily" }],
  ["NY: repeated 01:00 does not reset twice", daily("America/New_York", 1), "2026-11-01T05:00:00Z", "2026-11-01T06:30:00Z", { fresh: true }],
  ["NY: 04:00 EST on the fall day", daily("America/New_York"), "2026-11-01T08:30:00Z", "2026-11-01T09:00:00Z", { fresh: false, reason: "daily" }],
  // Berlin spring forward (2026-03-29 02:00 CET -> 03:00 CEST = 01:00Z) and fall back (2026-10-25 03:00 CEST -> 02:00 CET = 01:00Z).
  ["Berlin: 04:00 CEST after the spring change", daily("Europe/Berlin"), "2026-03-29T01:59:00Z", "2026-03-29T02:00:00Z", { fresh: false, reason: "daily" }],
  ["Berlin: missing 02:00 resets at 03:00 CEST", daily("Europe/Berlin", 2), "2026-03-29T00:59:00Z", "2026-03-29T01:00:00Z", { fresh: false, reason: "daily" }],
  ["Berlin: repeated 02:00 resets once", daily("Europe/Berlin", 2), "2026-10-25T00:00:00Z", "2026-10-25T01:30:00Z", { fresh: true }],
  ["Berlin: first 02:00 CEST resets", daily("Europe/Berlin", 2), "2026-10-24T23:59:00Z", "2026-10-25T00:00:00Z", { fresh: false, reason: "daily" }],
  ["Berlin: 04:00 CET after the fall change", daily("Europe/Berlin"), "2026-10-25T02:59:00Z", "2026-10-25T03:00:00Z", { fresh: false, reason: "daily" }],
  // Kolkata: +05:30.
  ["Kolkata: 04:00 IST is 22:30Z", daily("Asia/Kolkata"), "2026-06-14T22:29:00Z", "2026-06-14T22:30:00Z", { fresh: false, reason: "daily" }],
  ["Kolkata: not at 04:00Z", daily("Asia/Kolkata"), "2026-06-14T22:30:00Z", "2026-06-15T04:00:00Z", { fresh: true }],
  // Lord Howe: +10:30 / +11:00, 30-minute DST at 02:00 local.
  ["Lord Howe: missing 02:00 resets at 02:30 LHDT", daily("Australia/Lord_Howe", 2), "2026-10-03T15:29:00Z", "2026-10-03T15:30:00Z", { fresh: false, reason: "daily" }],
  ["Lord Howe: repeated 01:30-02:00 resets once", daily("Australia/Lord_Howe", 1), "2026-04-04T14:40:00Z", "2026-04-04T15:20:00Z", { fresh: true }],
  ["Lord Howe: 04:00 LHST", daily("Australia/Lord_Howe"), "2026-07-09T17:29:00Z", "2026-07-09T17:30:00Z", { fresh: false, reason: "daily" }],
  // Idle.
  ["idle: exactly at the limit is fresh", { mode: "idle", idleMinutes: 30 }, "2026-01-01T00:00:00Z", "2026-01-01T00:30:00Z", { fresh: true }],
  ["idle: 1 ms past the limit", { mode: "idle", idleMinutes: 30 }, "2026-01-01T00:00:00Z", "2026-01-01T00:30:00.001Z", { fresh: false, reason: "idle" }],
  ["idle: default 60 minutes", { mode: "idle" }, "2026-01-01T00:00:00Z", "2026-01-01T01:00:01Z", { fresh: false, reason: "idle" }],
  ["idle mode ignores daily boundaries", { mode: "idle", idleMinutes: 600, timezone: "UTC" }, "2026-01-01T03:00:00Z", "2026-01-01T05:00:00Z", { fresh: true }],
  // Both: whichever expires first.
  ["both: idle first", { mode: "daily", atHour: 4, idleMinutes: 60, timezone: "UTC" }, "2026-01-01T01:00:00Z", "2026-01-01T05:00:00Z", { fresh: false, reason: "idle" }],
  ["both: daily first", { mode: "daily", atHour: 4, idleMinutes: 180, timezone: "UTC" }, "2026-01-01T03:00:00Z", "2026-01-01T07:00:00Z", { fresh: false, reason: "daily" }],
  ["both: only idle expired", { mode: "daily", atHour: 4, idleMinutes: 60, timezone: "UTC" }, "2026-01-01T05:00:00Z", "2026-01-01T06:30:00Z", { fresh: false, reason: "idle" }],
  ["both: only daily expired", { mode: "daily", atHour: 4, idleMinutes: 600, timezone: "UTC" }, "2026-01-01T03:30:00Z", "2026-01-01T04:30:00Z", { fresh: false, reason: "daily" }],
  ["both: neither", { mode: "daily", atHour: 4, idleMinutes: 600, timezone: "UTC" }, "2026-01-01T04:30:00Z", "2026-01-01T08:30:00Z", { fresh: true }],
  // Never.
  ["never: a year later", { mode: "never", idleMinutes: 1, timezone: "UTC" }, "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", { fresh: true }],
  // A clock behind the entry is fresh.
  ["now before updatedAt, within the 5-minute skew", daily("UTC"), "2026-01-01T05:04:59Z", "2026-01-01T05:00:00Z", { fresh: true }],
];

describe("evaluateFreshness", () => {
  it.each(VECTORS)("%s", (_why, policy, updatedAt, now, expected) => {
    expect(evaluateFreshness({ updatedAt: at(updatedAt), now: at(now), policy })).toEqual(expected);
  });

  it("defaults atHour to 4", () => {
    const policy: FreshnessPolicy = { mode: "daily", timezone: "UTC" };
    expect(evaluateFreshness({ updatedAt: at("2026-01-01T03:59:00Z"), now: at("2026-01-01T04:00:00Z"), policy }).fresh).toBe(false);
    expect(evaluateFreshness({ updatedAt: at("2026-01-01T02:59:00Z"), now: at("2026-01-01T03:59:00Z"), policy }).fresh).toBe(true);
  });

  it("uses the host's zone without a timezone", () => {
    const saved = process.env.TZ;
    process.env.TZ = "Asia/Kolkata";
    try {
      // 04:00 IST is 22:30Z: stale at 22:30Z, where a UTC host would still be fresh.
      const policy: FreshnessPolicy = { mode: "daily" };
      expect(evaluateFreshness({ updatedAt: at("2026-05-01T22:00:00Z"), now: at("2026-05-01T22:30:00Z"), policy })).toEqual({ fresh: false, reason: "daily" });
      expect(evaluateFreshness({ updatedAt: at("2026-05-01T22:30:00Z"), now: at("2026-05-02T04:30:00Z"), policy })).toEqual({ fresh: true });
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it.each([
    [{ updatedAt: Number.NaN, now: 0, policy: { mode: "daily" } }, "updatedAt must be a finite epoch-ms number, got NaN"],
    [{ updatedAt: 0, now: "soon", policy: { mode: "daily" } }, 'now must be a finite epoch-ms number, got "soon"'],
    [{ updatedAt: 0, now: 0, policy: { mode: "weekly" } }, 'policy.mode must be "daily", "idle" or "never", got "weekly"'],
    [{ updatedAt: 0, now: 0, policy: { mode: "daily", atHour: 24 } }, "policy.atHour must be an integer 0-23, got 24"],
    [{ updatedAt: 0, now: 0, policy: { mode: "idle", idleMinutes: 0 } }, "policy.idleMinutes must be a number of minutes > 0, got 0"],
  ])("rejects %j with E_INVALID_ARGUMENT", (input, message) => {
    expect(() => evaluateFreshness(input as never)).toThrowError(expect.objectContaining({ code: "E_INVALID_ARGUMENT", message }));
  });

  it("rejects an unknown zone with E_INVALID_CONFIG", () => {
    expect(() => evaluateFreshness({ updatedAt: 0, now: 1, policy: { mode: "daily", timezone: "Atlantis/Capital" } })).toThrowError(
      expect.objectContaining({ code: "E_INVALID_CONFIG" }),
    );
  });
});

describe("evaluateFreshness: an activity clock in the future", () => {
  const now = at("2026-06-01T12:00:00Z");
  const MINUTE = 60_000;

  it.each([
    ["daily", { mode: "daily", timezone: "UTC" } as FreshnessPolicy, "daily"],
    ["daily with idleMinutes", { mode: "daily", timezone: "UTC", idleMinutes: 30 } as FreshnessPolicy, "daily"],
    ["idle", { mode: "idle", idleMinutes: 30 } as FreshnessPolicy, "idle"],
  ])("%s: beyond the 5-minute skew it is stale", (_name, policy, reason) => {
    expect(evaluateFreshness({ updatedAt: now + 5 * MINUTE + 1, now, policy })).toEqual({ fresh: false, reason });
    expect(evaluateFreshness({ updatedAt: at("2099-01-01T00:00:00Z"), now, policy })).toEqual({ fresh: false, reason });
    // Beyond the Date range: stale too, never a RangeError.
    expect(evaluateFreshness({ updatedAt: 9e15, now, policy })).toEqual({ fresh: false, reason });
  });

  it("within the skew it is fresh; mode never stays fresh", () => {
    expect(evaluateFreshness({ updatedAt: now + 5 * MINUTE, now, policy: { mode: "daily", timezone: "UTC" } })).toEqual({ fresh: true });
    expect(evaluateFreshness({ updatedAt: now + 5 * MINUTE, now, policy: { mode: "idle", idleMinutes: 1 } })).toEqual({ fresh: true });
    expect(evaluateFreshness({ updatedAt: at("2099-01-01T00:00:00Z"), now, policy: { mode: "never" } })).toEqual({ fresh: true });
  });
});
