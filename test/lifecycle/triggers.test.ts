import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findModel, matchResetTrigger, type ResetTriggerOptions } from "../../src/lifecycle/triggers.js";

const MODELS = ["anthropic/claude-opus-4", "openai/gpt-5", "opus", "gemini-2.5-pro"];

// [text, options, expected]
const TABLE: Array<[string, ResetTriggerOptions, ReturnType<typeof matchResetTrigger>]> = [
  ["/new", {}, { body: "" }],
  ["/reset", {}, { body: "" }],
  ["  /new  ", {}, { body: "" }],
  ["/NEW", {}, { body: "" }],
  ["/Reset", {}, { body: "" }],
  ["/new Hello There", {}, { body: "Hello There" }],
  ["/new\n\tMulti\nline", {}, { body: "Multi\nline" }],
  ["/reset   keep  inner  spaces ", {}, { body: "keep  inner  spaces" }],
  ["/newfoo", {}, null],
  ["/new-chat", {}, null],
  ["/resetting", {}, null],
  ["new", {}, null],
  ["hello /new", {}, null],
  ["", {}, null],
  ["   ", {}, null],
  ["/new@my_bot", {}, { body: "" }],
  ["/new@my_bot Hi", {}, { body: "Hi" }],
  ["/new@my-bot", {}, null],
  // Configured extras add to the defaults.
  ["/fresh start", { triggers: ["/fresh"] }, { body: "start" }],
  ["/FRESH", { triggers: ["/fresh"] }, { body: "" }],
  ["/new", { triggers: ["/fresh"] }, { body: "" }],
  ["/reset all now", { triggers: ["/reset all"] }, { body: "now" }],
  ["/freshly", { triggers: ["/fresh"] }, null],
  ["/x", { triggers: ["  ", ""] }, null],
  // Mentions are stripped in groups only.
  ["@bot /new", { isGroup: true }, { body: "" }],
  ["@bot /new Hi all", { isGroup: true }, { body: "Hi all" }],
  ["<@U123> /reset", { isGroup: true }, { body: "" }],
  ["<@!123456> /new x", { isGroup: true }, { body: "x" }],
  ["<@U123|clawd> /new", { isGroup: true }, { body: "" }],
  ["<@U1>/new", { isGroup: true }, { body: "" }],
  ["@bot @other /new", { isGroup: true }, { body: "" }],
  ["@clawd:matrix.org /new", { isGroup: true }, { body: "" }],
  ["@bot /new", {}, null],
  ["<@U123> /reset", { isGroup: false }, null],
  ["@bot hello /new", { isGroup: true }, null],
  ["@bot", { isGroup: true }, null],
  // Models.
  ["/new opus", { models: MODELS }, { body: "", model: "opus" }],
  ["/new OPUS write a poem", { models: MODELS }, { body: "write a poem", model: "opus" }],
  ["/new gpt-5 Hi", { models: MODELS }, { body: "Hi", model: "openai/gpt-5" }],
  ["/new openai/gpt-5 Hi", { models: MODELS }, { body: "Hi", model: "openai/gpt-5" }],
  ["/new claude-opus-4", { models: MODELS }, { body: "", model: "anthropic/claude-opus-4" }],
  ["/new gemini-2.5-pro  summarize", { models: MODELS }, { body: "summarize", model: "gemini-2.5-pro" }],
  ["/new hello opus", { models: MODELS }, { body: "hello opus" }],
  ["/new anthropic/gpt-5", { models: MODELS }, { body: "anthropic/gpt-5" }],
  ["/new opus", {}, { body: "opus" }],
  ["@bot /new opus hi", { isGroup: true, models: MODELS }, { body: "hi", model: "opus" }],
  // Authorization.
  ["/new", { authorized: false }, null],
  ["/new", { authorized: true }, { body: "" }],
];

describe("matchResetTrigger", () => {
  it.each(TABLE)("%j with %j", (text, options, expected) => {
    expect(matchResetTrigger(text, options)).toEqual(expected);
  });

  it("never drops text: the body is the message after the trigger", () => {
    fc.assert(
      fc.property(fc.constantFrom("/new", "/reset", "/NEW"), fc.string({ minLength: 1 }), (trigger, rest) => {
        const text = `${trigger} ${rest}`;
        const match = matchResetTrigger(text);
        expect(match).not.toBeNull();
        expect(match?.body).toBe(rest.trim());
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string(), fc.boolean(), (text, isGroup) => {
        const match = matchResetTrigger(text, { isGroup, models: MODELS });
        if (match !== null) expect(text.toLowerCase()).toMatch(/\/(new|reset)/);
      }),
      { numRuns: 500 },
    );
  });

  it("rejects a non-string text with E_INVALID_ARGUMENT", () => {
    expect(() => matchResetTrigger(42 as never)).toThrowError(expect.objectContaining({ code: "E_INVALID_ARGUMENT" }));
  });
});

describe("findModel", () => {
  it.each([
    ["opus", "opus"],
    ["Opus", "opus"],
    ["gpt-5", "openai/gpt-5"],
    ["OpenAI/GPT-5", "openai/gpt-5"],
    ["claude", undefined],
    ["/gpt-5", undefined],
  ])("%s -> %s", (token, expected) => {
    expect(findModel(token, MODELS)).toBe(expected);
  });

  it("prefers an exact entry over a provider/id match", () => {
    expect(findModel("gpt-5", ["openai/gpt-5", "gpt-5"])).toBe("gpt-5");
  });
});
