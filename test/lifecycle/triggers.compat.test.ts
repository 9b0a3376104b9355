/**
 * Reset triggers as clawdbot reads them. Sources:
 * - moltbot/moltbot src/auto-reply/commands-registry.ts (normalizeCommandBody: `/cmd: args` is
 *   `/cmd args`, the form command-control.test.ts checks for /send and /activation)
 * - moltbot/moltbot src/auto-reply/reply/session-resets.test.ts (authorized /new in a WhatsApp
 *   group resets with an empty body; an unauthorized sender's /new does not)
 */
import { describe, expect, it } from "vitest";
import { matchResetTrigger } from "../../src/lifecycle/triggers.js";

describe("matchResetTrigger: clawdbot's /cmd: args form", () => {
  it.each([
    ["/new:", { body: "" }],
    ["/new: plan my week", { body: "plan my week" }],
    ["/new:plan", { body: "plan" }],
    ["/NEW: Plan", { body: "Plan" }],
    // Ours: only a colon right after the command is syntax; here it is the body's text.
    ["/new : plan", { body: ": plan" }],
    ["/reset:", { body: "" }],
    ["/new@my_bot: plan", { body: "plan" }],
    ["/newfoo: x", null],
    ["/new plan: later", { body: "plan: later" }],
    ["plan: /new", null],
  ])("%j -> %j", (text, expected) => {
    expect(matchResetTrigger(text)).toEqual(expected);
  });

  it("a configured trigger with an argument matches its colon form", () => {
    expect(matchResetTrigger("/reset: all", { triggers: ["/reset all"] })).toEqual({ body: "" });
  });

  it("the model token follows the colon", () => {
    expect(matchResetTrigger("/new: gpt-5 summarize", { models: ["openai/gpt-5"] })).toEqual({ body: "summarize", model: "openai/gpt-5" });
  });
});

describe("matchResetTrigger: session-resets.test.ts", () => {
  it("Reset trigger /new works for authorized sender in WhatsApp group", () => {
    expect(matchResetTrigger("/new", { isGroup: true, authorized: true })).toEqual({ body: "" });
  });

  it("Reset trigger /new blocked for unauthorized sender", () => {
    expect(matchResetTrigger("/new", { isGroup: true, authorized: false })).toBeNull();
  });
});
