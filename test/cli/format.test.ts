/**
 * The CLI's pure formatting: ages, token counts, shortened keys, tables, one-line messages.
 */
import { describe, expect, it } from "vitest";
import { oneLine } from "../../src/cli/escape.js";
import { formatAge, formatTokens } from "../../src/cli/format.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// Ages round to the nearest unit, as clawdbot's `sessions` command does (clawdis/clawdbot
// src/commands/sessions.ts formatAge: Math.round of minutes, then of hours, then of days).
describe("formatAge", () => {
  it.each([
    [0, "just now"],
    [29_999, "just now"],
    [30_000, "1m ago"],
    [59_999, "1m ago"],
    [MINUTE, "1m ago"],
    [5 * MINUTE, "5m ago"],
    [45 * MINUTE, "45m ago"],
    [59 * MINUTE + 29_999, "59m ago"],
    [59 * MINUTE + 59_999, "1h ago"],
    [HOUR, "1h ago"],
    [HOUR + 29 * MINUTE, "1h ago"],
    [90 * MINUTE, "2h ago"],
    [3 * HOUR, "3h ago"],
    [47 * HOUR + 29 * MINUTE, "47h ago"],
    [47 * HOUR + 59 * MINUTE, "2d ago"],
    [48 * HOUR, "2d ago"],
    [60 * HOUR, "3d ago"],
    [400 * 24 * HOUR, "400d ago"],
    [-5_000, "just now"],
    [Number.NaN, "just now"],
  ])("%i ms → %s", (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});

describe("formatTokens", () => {
  it.each([
    [undefined, "-"],
    [0, "0"],
    [999, "999"],
    [1000, "1.0k"],
    [1234, "1.2k"],
    [32_000, "32k"],
    [123_456, "123k"],
    [2_500_000, "2.5M"],
  ])("%s → %s", (value, text) => {
    expect(formatTokens(value)).toBe(text);
  });
});

describe("oneLine", () => {
  it.each([
    ["plain text", "plain text"],
    ["a\nb", "a\\nb"],
    ["a\r\nb", "a\\nb"],
    ["nul\u0000 bell\u0007 esc\u001b[31m", "nul\\u0000 bell\\u0007 esc\\u001b[31m"],
    ["tab\there", "tab\\u0009here"],
    ["c1\u0085 ls\u2028", "c1\\u0085 ls\\u2028"],
    ["unicode ✓ 🏡 stays", "unicode ✓ 🏡 stays"],
  ])("%j → %j", (input, output) => {
    expect(oneLine(input)).toBe(output);
  });
});
