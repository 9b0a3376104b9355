/**
 * `/new <model>` and the auth profile: openclaw clears `authProfileOverride*` when a reset picks
 * a model, so the old provider's profile does not follow the new model. Source:
 * moltbot/moltbot src/auto-reply/reply/session-resets.test.ts ("clears auth profile overrides
 * when reset applies a model"), src/sessions/model-overrides.ts.
 */
import { describe, expect, it } from "vitest";
import { applyReset } from "../../src/lifecycle/apply-reset.js";
import type { SessionEntry } from "../../src/backend/shared/entry.js";

const ENTRY: SessionEntry = {
  sessionId: "s1",
  updatedAt: 1,
  authProfileOverride: "anthropic:default",
  authProfileOverrideSource: "user",
  authProfileOverrideCompactionCount: 2,
};

describe("applyReset: auth profile overrides", () => {
  it("clears auth profile overrides when reset applies a model", () => {
    const next = applyReset(ENTRY, { sessionId: "s2", model: "minimax/m2.1" });
    expect(next.providerOverride).toBe("minimax");
    expect(next.modelOverride).toBe("m2.1");
    expect(next.authProfileOverride).toBeUndefined();
    expect(next.authProfileOverrideSource).toBeUndefined();
    expect(next.authProfileOverrideCompactionCount).toBeUndefined();
  });

  it("keeps them on a reset without a model (the user's choice still applies)", () => {
    const next = applyReset(ENTRY, { sessionId: "s2" });
    expect(next.authProfileOverride).toBe("anthropic:default");
    expect(next.authProfileOverrideSource).toBe("user");
    expect(next.authProfileOverrideCompactionCount).toBe(2);
  });
});
