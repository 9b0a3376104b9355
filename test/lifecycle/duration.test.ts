import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/lifecycle/duration.js";

describe("parseDuration", () => {
  it.each([
    ["30d", 30 * 86_400_000],
    ["12h", 12 * 3_600_000],
    ["90m", 90 * 60_000],
    ["45s", 45_000],
    ["1.5h", 5_400_000],
    [" 7 days ", 7 * 86_400_000],
    ["2w", 14 * 86_400_000],
    ["250", 250],
    [60_000, 60_000],
  ])("%j -> %i ms", (value, expected) => {
    expect(parseDuration(value, "pruneAfter")).toBe(expected);
  });

  it.each([["soon"], [""], ["-1d"], ["0"], [0], [-5], [Number.POSITIVE_INFINITY], [Number.NaN], ["x".repeat(200)], [null], [{}]])("rejects %j", (value) => {
    expect(() => parseDuration(value as never, "pruneAfter")).toThrowError(
      expect.objectContaining({ code: "E_INVALID_ARGUMENT", message: expect.stringMatching(/^pruneAfter must be a positive duration such as "30d"/) }),
    );
  });
});
