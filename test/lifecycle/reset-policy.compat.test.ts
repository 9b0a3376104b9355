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
