import { describe, expect, it } from "vitest";
import { HubError } from "../../src/errors.js";
import { assertEntry, isPlainObject, isValidSessionId, mergePatch, migrateLegacyFields, type SessionEntry } from "../../src/store/entry.js";

describe("isValidSessionId", () => {
  it.each([
    ["3f1c2a9e-5b7d-4e21-9a0c-1d2e3f4a5b6c", true],
    ["a", true],
    ["A.b_c-1", true],
    ["x".repeat(128), true],
    ["x".repeat(129), false],
    ["", false],
    [".hidden", false],
    ["-dash", false],
    ["../x", false],
    ["a/b", false],
    ["a b", false],
    [42, false],
  ])("%j → %s", (value, valid) => {
    expect(isValidSessionId(value)).toBe(valid);
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
    [{ updatedAt: 1 }, 'entry "k": sessionId must match /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, got undefined'],
    [{ sessionId: "s" }, 'entry "k": updatedAt must be a finite epoch-ms number >= 0, got undefined'],
    [{ sessionId: "s", updatedAt: -1 }, "got -1"],
    [{ sessionId: "s", updatedAt: 1, previousSessionIds: "a" }, 'entry "k": previousSessionIds must be an array of session ids'],
    [{ sessionId: "s", updatedAt: 1, previousSessionIds: ["/etc/passwd"] }, "previousSessionIds"],
  ])("%j: %s", (entry, message) => {
    expect(fails(entry)).toContain(message);
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
