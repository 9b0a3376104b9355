import { describe, expect, it } from "vitest";
import { copyEntry } from "../../../../src/backend/file/store/copy.js";
import type { SessionEntry } from "../../../../src/backend/shared/entry.js";

describe("copyEntry", () => {
  it("copies deeply: changing the copy leaves the entry as it was", () => {
    const entry = JSON.parse('{"sessionId":"s","updatedAt":5,"origin":{"to":["a",{"b":1}]},"n":null}') as SessionEntry;
    const copy = copyEntry(entry, undefined);
    expect(copy).toEqual(entry);
    const to = (copy as unknown as { origin: { to: [string, { b: number }] } }).origin.to;
    to[1].b = 2;
    (to as unknown[]).push("x");
    expect(entry).toEqual(JSON.parse('{"sessionId":"s","updatedAt":5,"origin":{"to":["a",{"b":1}]},"n":null}'));
  });

  it("keeps a __proto__ key as data at every level, never as a prototype", () => {
    const entry = JSON.parse('{"sessionId":"s","updatedAt":5,"__proto__":{"polluted":true},"meta":{"__proto__":{"x":1}}}') as SessionEntry;
    const copy = copyEntry(entry, undefined) as unknown as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, "__proto__")).toBe(true);
    expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.hasOwn(copy.meta as object, "__proto__")).toBe(true);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(entry));
  });

  it("moves updatedAt to a newer clock only", () => {
    const entry = { sessionId: "s", updatedAt: 5 } as SessionEntry;
    expect(copyEntry(entry, 9).updatedAt).toBe(9);
    expect(copyEntry(entry, 3).updatedAt).toBe(5);
    expect(entry.updatedAt).toBe(5);
  });
});
