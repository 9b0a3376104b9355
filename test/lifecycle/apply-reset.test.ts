import { describe, expect, it } from "vitest";
import { applyReset } from "../../src/lifecycle/apply-reset.js";
import type { SessionEntry } from "../../src/backend/shared/entry.js";

const FULL: SessionEntry = {
  sessionId: "old-session",
  updatedAt: 1_700_000_000_000,
  sessionFile: "old-session-topic-99.jsonl",
  previousSessionIds: ["older-1", "older-2"],
  chatType: "group",
  channel: "telegram",
  groupId: "-100123",
  subject: "Family",
  groupChannel: "#general",
  space: "home",
  displayName: "telegram:g-family",
  label: "Family chat",
  origin: { label: "Family", provider: "telegram", from: "telegram:group:-100123" },
  lastChannel: "telegram",
  lastTo: "-100123",
  lastAccountId: "default",
  lastThreadId: 99,
  deliveryContext: { channel: "telegram", to: "-100123", threadId: 99 },
  sendPolicy: "deny",
  thinkingLevel: "high",
  verboseLevel: "on",
  reasoningLevel: "stream",
  modelOverride: "claude-opus-4",
  providerOverride: "anthropic",
  model: "claude-opus-4",
  modelProvider: "anthropic",
  inputTokens: 1200,
  outputTokens: 800,
  totalTokens: 2000,
  contextTokens: 32000,
  compactionCount: 2,
  systemSent: true,
  abortedLastRun: true,
  endedAt: 1_700_000_100_000,
  customField: { kept: true },
};

describe("applyReset", () => {
  it("mints a new id, keeps routing, metadata, policy and overrides, clears counters and flags", () => {
    const next = applyReset(FULL, { sessionId: "new-session", now: 1_800_000_000_000 });
    const {
      inputTokens, outputTokens, totalTokens, contextTokens, compactionCount, systemSent, abortedLastRun, sessionFile, endedAt,
      sessionId, updatedAt, previousSessionIds, ...kept
    } = FULL;
    expect(next).toEqual({ ...kept, sessionId: "new-session", updatedAt: 1_800_000_000_000, previousSessionIds: ["old-session", "older-1", "older-2"] });
  });

  it("leaves the input untouched", () => {
    const copy = structuredClone(FULL);
    const next = applyReset(FULL, { sessionId: "new-session" });
    expect(FULL).toEqual(copy);
    (next.origin as { label: string }).label = "changed";
    expect(FULL.origin?.label).toBe("Family");
  });

  it("defaults to a random UUID and keeps updatedAt", () => {
    const next = applyReset({ sessionId: "a", updatedAt: 5 });
    expect(next.sessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(next.updatedAt).toBe(5);
    expect(next.previousSessionIds).toEqual(["a"]);
  });

  it("keeps at most 20 previous ids, newest first, without duplicates", () => {
    const previous = Array.from({ length: 25 }, (_, i) => `p${i}`);
    const next = applyReset({ sessionId: "cur", updatedAt: 0, previousSessionIds: ["cur", "p0", ...previous, "new"] }, { sessionId: "new" });
    expect(next.previousSessionIds).toEqual(["cur", ...previous.slice(0, 19)]);
  });

  it("chains resets", () => {
    let entry: SessionEntry = { sessionId: "s0", updatedAt: 0 };
    for (let i = 1; i <= 3; i++) entry = applyReset(entry, { sessionId: `s${i}` });
    expect(entry.sessionId).toBe("s3");
    expect(entry.previousSessionIds).toEqual(["s2", "s1", "s0"]);
  });

  it.each([
    ["anthropic/claude-sonnet-4", { providerOverride: "anthropic", modelOverride: "claude-sonnet-4" }],
    ["openrouter/meta/llama-4", { providerOverride: "openrouter", modelOverride: "meta/llama-4" }],
    ["opus", { modelOverride: "opus" }],
  ])("model %s sets the overrides", (model, overrides) => {
    const next = applyReset({ sessionId: "a", updatedAt: 0, modelOverride: "x", providerOverride: "openai" }, { sessionId: "b", model });
    expect({ modelOverride: next.modelOverride, providerOverride: next.providerOverride }).toEqual({ providerOverride: undefined, ...overrides });
  });

  it.each([
    [{ sessionId: "../escape" }, 'sessionId must be one file-name segment of 1-255 bytes (no "/", "\\", control characters, not "." or ".."), got "../escape"', "E_INVALID_ENTRY"],
    [{ sessionId: "same" }, 'sessionId must differ from the current one, got "same"', "E_INVALID_ARGUMENT"],
    [{ now: -1 }, "now must be a finite epoch-ms number >= 0, got -1", "E_INVALID_ARGUMENT"],
    [{ model: " " }, 'model must be a non-empty string, got " "', "E_INVALID_ARGUMENT"],
  ])("rejects %j", (options, message, code) => {
    expect(() => applyReset({ sessionId: "same", updatedAt: 0 }, options)).toThrowError(expect.objectContaining({ code, message }));
  });
});
