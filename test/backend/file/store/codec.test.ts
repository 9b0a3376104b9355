import fc from "fast-check";
import JSON5 from "json5";
import { afterEach, describe, expect, it, vi } from "vitest";
import { HubError } from "../../../../src/errors.js";
import { makeSlot, parseStore, serializeStore, type Slot } from "../../../../src/backend/file/store/codec.js";

const FILE = "/stores/sessions.json";

afterEach(() => {
  vi.restoreAllMocks();
});

function corruptError(text: string): HubError {
  try {
    parseStore(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(HubError);
    return error as HubError;
  }
  throw new Error("expected E_CORRUPT_STORE");
}

describe("parseStore", () => {
  it("parses plain JSON without ever calling JSON5", () => {
    const json5 = vi.spyOn(JSON5, "parse");
    const parsed = parseStore(JSON.stringify({ k: { sessionId: "s", updatedAt: 1 } }, null, 2), FILE);
    expect(parsed.usedJson5).toBe(false);
    expect(parsed.slots.get("k")?.entry).toEqual({ sessionId: "s", updatedAt: 1 });
    expect(json5).not.toHaveBeenCalled();
  });

  it("falls back to JSON5 for a hand-edited file (comments, trailing commas, unquoted keys, single quotes)", () => {
    const json5 = vi.spyOn(JSON5, "parse");
    const text = `// my sessions
{
  /* the main one */
  "agent:main:main": { sessionId: 'abc', updatedAt: 10, label: "home", },
  cron: { sessionId: "c1", updatedAt: 0x10, },
}
`;
    const parsed = parseStore(text, FILE);
    expect(parsed.usedJson5).toBe(true);
    expect(json5).toHaveBeenCalledTimes(1);
    expect([...parsed.slots].map(([key, slot]) => [key, slot.entry])).toEqual([
      ["agent:main:main", { sessionId: "abc", updatedAt: 10, label: "home" }],
      ["cron", { sessionId: "c1", updatedAt: 16 }],
    ]);
  });

  it.each([
    ["", "is empty (0 bytes)"],
    ["  \n", "is empty (3 bytes)"],
    ['{ "a": ', "is not valid JSON"],
    ["\u0000\u0000", "is not valid JSON"],
    ["[]", "must hold a JSON object of sessions, found an array"],
    ["null", "found null"],
    ["42", "found a number"],
    ['"x"', "found a string"],
    ["true", "found a boolean"],
  ])("%j is E_CORRUPT_STORE: %s", (text, fragment) => {
    const error = corruptError(text);
    expect(error.code).toBe("E_CORRUPT_STORE");
    expect(error.message).toContain(FILE);
    expect(error.message).toContain(fragment);
    expect(error.file).toBe(FILE);
  });

  it("migrates clawdbot's legacy fields and reports which entries changed", () => {
    const parsed = parseStore(
      JSON.stringify({
        legacy: { sessionId: "a", updatedAt: 1, provider: "discord", lastProvider: "discord", room: "#general" },
        both: { sessionId: "b", updatedAt: 1, provider: "old", channel: "new", lastProvider: "old", lastChannel: "new" },
        modern: { sessionId: "c", updatedAt: 1, channel: "slack" },
      }),
      FILE,
    );
    expect(parsed.slots.get("legacy")?.entry).toEqual({ sessionId: "a", updatedAt: 1, channel: "discord", lastChannel: "discord", groupChannel: "#general" });
    expect(parsed.slots.get("both")?.entry).toEqual({ sessionId: "b", updatedAt: 1, channel: "new", lastChannel: "new" });
    expect(parsed.migrated).toEqual(["legacy", "both"]);
  });

  it("keeps invalid entries as hidden slots with their reason", () => {
    const parsed = parseStore(JSON.stringify({ ok: { sessionId: "a", updatedAt: 1 }, bad: { sessionId: "", updatedAt: 1 }, list: [] }), FILE);
    expect(parsed.slots.get("ok")?.invalid).toBeUndefined();
    expect(parsed.slots.get("bad")?.invalid).toContain('entry "bad": sessionId must be one file-name segment');
    expect(parsed.slots.get("list")?.invalid).toBe('entry "list" must be an object');
    expect(parsed.invalid.map((i) => i.key)).toEqual(["bad", "list"]);
  });
});

/** A JSON value for an unknown field: anything JSON can hold. */
const jsonValue = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const sessionKey = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.constantFrom("__proto__", "constructor", "toString", "0", "7", "42", "4294967294", "4294967295", "01", "-1", "agent:main:main"),
  fc.nat({ max: 2 ** 32 }).map(String),
);
const sessionEntry = fc
  .record({
    sessionId: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/),
    updatedAt: fc.nat(),
    extra: fc.dictionary(fc.string({ maxLength: 6 }), jsonValue, { maxKeys: 4 }),
  })
  .map(({ sessionId, updatedAt, extra }) => {
    const result: Record<string, unknown> = { sessionId, updatedAt };
    for (const [field, value] of Object.entries(extra)) {
      if (field !== "sessionId" && field !== "updatedAt") Object.defineProperty(result, field, { value, enumerable: true, writable: true, configurable: true });
    }
    return result;
  });

/** Sets a property the way JSON.parse does: an own data property, even for "__proto__". */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

describe("serializeStore", () => {
  it("writes exactly JSON.stringify(store, null, 2) of the store after a batch of sets and deletes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(sessionKey, sessionEntry), { maxLength: 8 }),
        fc.array(fc.tuple(sessionKey, fc.option(sessionEntry, { nil: null })), { maxLength: 8 }),
        (initial, batch) => {
          const original: Record<string, unknown> = {};
          for (const [key, value] of initial) define(original, key, value);
          const text = JSON.stringify(original, null, 2);
          const { slots } = parseStore(text, FILE);
          expect(serializeStore(slots).toString()).toBe(text);

          // A batch holds one final change per key, in the order keys were first touched.
          const changes = new Map<string, Slot | null>();
          for (const [key, value] of batch) changes.set(key, value === null ? null : makeSlot(key, value));
          // The oracle: a clawdbot-style writer applying those changes to a plain object.
          const expected = JSON.parse(text) as Record<string, unknown>;
          for (const [key, slot] of changes) {
            if (slot === null) delete expected[key];
            else define(expected, key, slot.entry);
          }
          const written = serializeStore(slots, changes).toString();
          expect(written).toBe(JSON.stringify(expected, null, 2));
          expect(JSON.stringify(JSON.parse(written), null, 2)).toBe(written);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("writes {} for an empty store", () => {
    expect(serializeStore(new Map()).toString()).toBe("{}");
  });

  it("stringifies the entries of a freshly read store once, then only what changed", () => {
    const { slots } = parseStore(JSON.stringify({ a: { sessionId: "a", updatedAt: 1 }, b: { sessionId: "b", updatedAt: 2 } }), FILE);
    const stringify = vi.spyOn(JSON, "stringify");
    serializeStore(slots);
    expect(stringify.mock.calls.filter(([value]) => typeof value === "object")).toHaveLength(1);
    const changes = new Map<string, Slot | null>([["b", makeSlot("b", { sessionId: "b", updatedAt: 3 })]]);
    stringify.mockClear();
    const written = serializeStore(slots, changes).toString();
    // Keys are quoted with JSON.stringify; no entry object is stringified again.
    expect(stringify.mock.calls.filter(([value]) => typeof value === "object")).toEqual([]);
    stringify.mockRestore();
    expect(written).toBe(JSON.stringify({ a: { sessionId: "a", updatedAt: 1 }, b: { sessionId: "b", updatedAt: 3 } }, null, 2));
  });

  it("cuts a whole-store stringify into members correctly whatever the entries hold", () => {
    const tricky = {
      "a,\n  \"b": { sessionId: "a", updatedAt: 1, text: ',\n  "not a member": {', list: [{ deep: "\n  \"" }, [], {}] },
      ["__proto__"]: { sessionId: "p", updatedAt: 2 },
      "": 5,
      "10": { sessionId: "t", updatedAt: 3 },
      "ü🎉": { sessionId: "u", updatedAt: 4, s: "ü🎉" },
    };
    const text = JSON.stringify(tricky, null, 2);
    const { slots } = parseStore(text, FILE);
    expect(slots.size).toBe(5);
    expect(serializeStore(slots).toString()).toBe(text);
    for (const [key, slot] of slots) {
      expect(slot.bytes?.toString()).toBe(`  ${JSON.stringify(key)}: ${JSON.stringify(slot.entry, null, 2).replaceAll("\n", "\n  ")}`);
    }
  });
});

describe("makeSlot", () => {
  it("normalizes the entry through its JSON text: what is cached is what a reader of the file gets", () => {
    const slot = makeSlot("k", { sessionId: "s", updatedAt: 1, when: new Date(0), gone: undefined, nested: { f: () => 1 } });
    expect(slot.entry).toEqual({ sessionId: "s", updatedAt: 1, when: "1970-01-01T00:00:00.000Z", nested: {} });
    expect(slot.bytes?.toString()).toBe(`  "k": ${JSON.stringify(slot.entry, null, 2).replaceAll("\n", "\n  ")}`);
  });
});
