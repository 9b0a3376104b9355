import { describe, expect, it } from "vitest";
import { HubError } from "../../../src/errors.js";
import {
  SESSION_ID_PATTERN,
  assertEntry,
  isPlainObject,
  isValidSessionId,
  mergePatch,
  migrateLegacyFields,
  nestedDeeperThan,
  type SessionEntry,
} from "../../../src/backend/shared/entry.js";

describe("isValidSessionId", () => {
  // Cases from openclaw's src/config/sessions/paths.test.ts ("session path safety"): its ids carry
  // channel routing characters; path separators and traversal are refused.
  it.each([
    ["sess-1", true],
    ["ABC_123.hello", true],
    ["imessage:direct:+17189153805", true],
    ["imessage:direct:cathryn@littlemight.com", true],
    ["slack:direct:u06g8spt4bx:thread:1770948912.577419", true],
    ["../etc/passwd", false],
    ["a/b", false],
    ["a\\b", false],
    ["/abs", false],
  ])("openclaw: %j → %s", (value, valid) => {
    expect(isValidSessionId(value)).toBe(valid);
  });

  it.each([
    ["3f1c2a9e-5b7d-4e21-9a0c-1d2e3f4a5b6c", true],
    ["a", true],
    ["A.b_c-1", true],
    ["x".repeat(128), true],
    ["x".repeat(255), true],
    ["x".repeat(256), false],
    ["é".repeat(127), true],
    ["é".repeat(128), false],
    [".hidden", true],
    ["-dash", true],
    ["a b", true],
    ["", false],
    [".", false],
    ["..", false],
    ["a\0b", false],
    ["a\nb", false],
    ["a\u001b[2Jb", false],
    ["\ud800", false],
    ["😀", true],
    [42, false],
  ])("%j → %s", (value, valid) => {
    expect(isValidSessionId(value)).toBe(valid);
  });

  it("is what SESSION_ID_PATTERN says, plus the byte limit", () => {
    expect(SESSION_ID_PATTERN.test("imessage:direct:+17189153805")).toBe(true);
    expect(SESSION_ID_PATTERN.test("..")).toBe(false);
  });
});

describe("migrateLegacyFields", () => {
  it.each([
    [{ provider: "discord" }, { channel: "discord" }, true],
    [{ lastProvider: "telegram" }, { lastChannel: "telegram" }, true],
    [{ room: "#general" }, { groupChannel: "#general" }, true],
    [{ provider: "old", channel: "new" }, { channel: "new" }, true],
    [{ lastProvider: "old", lastChannel: "new" }, { lastChannel: "new" }, true],
    [{ room: "#old", groupChannel: "#new" }, { groupChannel: "#new" }, true],
    [{ channel: "slack", origin: { provider: "slack" } }, { channel: "slack", origin: { provider: "slack" } }, false],
  ])("%j → %j", (input, output, changed) => {
    const entry: Record<string, unknown> = { ...input };
    expect(migrateLegacyFields(entry)).toBe(changed);
    expect(entry).toEqual(output);
  });
});

describe("mergePatch", () => {
  const base: SessionEntry = { sessionId: "s", updatedAt: 1, label: "a", origin: { from: "x" } };

  it("overlays fields, removes fields set to undefined, and modifies neither input", () => {
    const patch = { label: undefined, model: "m", origin: { to: "y" } };
    const merged = mergePatch(base, patch);
    expect(merged).toEqual({ sessionId: "s", updatedAt: 1, model: "m", origin: { to: "y" } });
    expect(base).toEqual({ sessionId: "s", updatedAt: 1, label: "a", origin: { from: "x" } });
    expect(patch).toEqual({ label: undefined, model: "m", origin: { to: "y" } });
  });

  it("starts from nothing when there is no entry", () => {
    expect(mergePatch(undefined, { sessionId: "n", updatedAt: 2 })).toEqual({ sessionId: "n", updatedAt: 2 });
  });
});

describe("assertEntry", () => {
  const fails = (entry: Record<string, unknown>): string => {
    try {
      assertEntry(entry, "k");
    } catch (error) {
      expect(error).toBeInstanceOf(HubError);
      expect((error as HubError).code).toBe("E_INVALID_ENTRY");
      return (error as HubError).message;
    }
    throw new Error("expected E_INVALID_ENTRY");
  };

  it("accepts the required fields and anything else", () => {
    expect(() => assertEntry({ sessionId: "s", updatedAt: 0, whatever: [1], previousSessionIds: ["a", "b"] }, "k")).not.toThrow();
  });

  it.each([
    [{ updatedAt: 1 }, 'entry "k": sessionId must be one file-name segment of 1-255 bytes (no "/", "\\", control characters, not "." or ".."), got undefined'],
    [{ sessionId: "s" }, 'entry "k": updatedAt must be a finite epoch-ms number >= 0, got undefined'],
    [{ sessionId: "s", updatedAt: -1 }, "got -1"],
    [{ sessionId: "s", updatedAt: 1, previousSessionIds: "a" }, 'entry "k": previousSessionIds must be an array of session ids'],
    [{ sessionId: "s", updatedAt: 1, previousSessionIds: ["/etc/passwd"] }, "previousSessionIds"],
    [{ sessionId: "s", updatedAt: 1, origin: deep(64) }, 'entry "k" is nested more than 64 levels deep'],
  ])("%j: %s", (entry, message) => {
    expect(fails(entry)).toContain(message);
  });
});

function deep(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let node = root;
  for (let i = 1; i < levels; i++) node = (node.a = {}) as Record<string, unknown>;
  return root;
}

describe("nestedDeeperThan", () => {
  it("counts levels with recursion bounded by the limit, 100k deep included", () => {
    expect(nestedDeeperThan(deep(3), 3)).toBe(false);
    expect(nestedDeeperThan(deep(4), 3)).toBe(true);
    expect(nestedDeeperThan([[[1]]], 3)).toBe(false);
    expect(nestedDeeperThan("x", 0)).toBe(false);
    expect(nestedDeeperThan(deep(100_000), 64)).toBe(true);
  });

  it("accepts an entry at the limit", () => {
    expect(() => assertEntry({ sessionId: "s", updatedAt: 1, origin: deep(63) }, "k")).not.toThrow();
  });
});

describe("isPlainObject", () => {
  it.each([
    [{}, true],
    [Object.create(null) as object, true],
    [[], false],
    [null, false],
    [new Date(), false],
    [new Map(), false],
    ["x", false],
  ])("%o → %s", (value, plain) => {
    expect(isPlainObject(value)).toBe(plain);
  });
});
