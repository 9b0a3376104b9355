/**
 * clawdbot's reading of `idleMinutes`: floored to whole minutes, at least 1
 * (moltbot/moltbot src/config/sessions/reset.ts, resolveSessionResetPolicy: Math.floor, then
 * Math.max(…, 1)); no upstream test file covers it, so the cases below are ours.
 */
import { describe, expect, it } from "vitest";
import { evaluateFreshness } from "../../src/lifecycle/freshness.js";
import { resolveResetPolicy } from "../../src/lifecycle/reset-policy.js";

const DM = "agent:main:telegram:dm:111";

describe("resolveResetPolicy: fractional idleMinutes (clawdbot floors them)", () => {
  it.each([
    ["reset.idleMinutes 90.9", { reset: { mode: "idle" as const, idleMinutes: 90.9 } }, 90],
    ["resetByType.dm.idleMinutes 30.5", { resetByType: { dm: { mode: "idle" as const, idleMinutes: 30.5 } } }, 30],
    ["legacy idleMinutes 2.99", { idleMinutes: 2.99 }, 2],
    ["resetByChannel 10.2", { resetByChannel: { telegram: { mode: "idle" as const, idleMinutes: 10.2 } } }, 10],
    ["below one minute: 1", { reset: { mode: "idle" as const, idleMinutes: 0.5 } }, 1],
    ["whole minutes unchanged", { reset: { mode: "idle" as const, idleMinutes: 45 } }, 45],
  ])("%s", (_why, config, expected) => {
    expect(resolveResetPolicy(config, { sessionKey: DM }).idleMinutes).toBe(expected);
  });

  it("a session idle 90.5 minutes under idleMinutes 90.9 is stale (the limit is 90)", () => {
    const policy = resolveResetPolicy({ reset: { mode: "idle", idleMinutes: 90.9 } }, { sessionKey: DM });
    expect(evaluateFreshness({ updatedAt: 0, now: 90.5 * 60_000, policy })).toEqual({ fresh: false, reason: "idle" });
  });
});

/**
 * openclaw/openclaw src/config/sessions/reset-policy.test.ts. Newer openclaw defaults to no
 * reset (`mode: "none"`); our default stays clawdbot's daily reset at 04:00 (SPEC 4.1,
 * notes/compat.md), so its "default policy" cases are not ours. Its `none` is read as `never`.
 */
describe("resolveResetPolicy: openclaw's reset-policy.test.ts", () => {
  it.each([
    ["the base reset", { reset: { atHour: 6 } }, DM],
    ["a type override", { resetByType: { group: { atHour: 6 } } }, "agent:main:telegram:group:g1"],
  ])("preserves the daily fallback when %s omits mode", (_why, config, sessionKey) => {
    expect(resolveResetPolicy(config, { sessionKey })).toMatchObject({ mode: "daily", atHour: 6 });
  });

  it("preserves combined daily and idle expiry when an explicit reset omits mode", () => {
    expect(resolveResetPolicy({ reset: { idleMinutes: 30 } }, { sessionKey: DM })).toMatchObject({ mode: "daily", idleMinutes: 30 });
  });

  it("expires an explicit idle policy after inactivity", () => {
    const policy = resolveResetPolicy({ reset: { mode: "idle", idleMinutes: 30 } }, { sessionKey: DM });
    const now = 10 * 3_600_000;
    expect(evaluateFreshness({ updatedAt: now - 31 * 60_000, now, policy })).toEqual({ fresh: false, reason: "idle" });
  });

  it("keeps legacy idleMinutes as an idle reset policy", () => {
    const policy = resolveResetPolicy({ idleMinutes: 30 }, { sessionKey: DM });
    expect(policy).toMatchObject({ mode: "idle", idleMinutes: 30 });
    const now = 10 * 3_600_000;
    expect(evaluateFreshness({ updatedAt: now - 24 * 3_600_000, now, policy })).toEqual({ fresh: false, reason: "idle" });
  });

  it("applies resetByType only to the matching session type", () => {
    const config = { resetByType: { group: { mode: "idle" as const, idleMinutes: 30 } } };
    expect(resolveResetPolicy(config, { sessionKey: DM }).mode).toBe("daily"); // openclaw: "none"
    expect(resolveResetPolicy(config, { sessionKey: "agent:main:telegram:group:g1" })).toMatchObject({ mode: "idle", idleMinutes: 30 });
  });

  it("applies a resetByChannel override ahead of the default policy", () => {
    const config = { resetByChannel: { discord: { mode: "daily" as const, atHour: 6 } } };
    expect(resolveResetPolicy(config, { sessionKey: "agent:main:discord:dm:1" })).toMatchObject({ mode: "daily", atHour: 6 });
  });

  it("accepts none and ignores reset deadlines", () => {
    const policy = resolveResetPolicy({ reset: { mode: "none" as never, atHour: 4, idleMinutes: 30 } }, { sessionKey: DM });
    expect(policy.mode).toBe("never");
    expect(evaluateFreshness({ updatedAt: 1, now: 24 * 3_600_000, policy })).toEqual({ fresh: true });
  });
});
