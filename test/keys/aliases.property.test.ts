/**
 * Item 2 of issue 10 as a property: a legacy spelling listed by `sessionKeyAliases` always names
 * the same conversation as its canonical key (it canonicalizes back to it), for arbitrary ids;
 * a case-folded spelling differs from it only in case.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildSessionKey, canonicalizeSessionKey, caseFoldedAliases, parseSessionKey, sessionKeyAliases, type SessionKeyParts } from "../../src/keys/index.js";

const id = fc
  .oneof(
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 10 }),
    fc.string({ unit: fc.constantFrom(":", "%", "3", "A", "a", "2", "5", "é", "thread", "topic", "!R", "@B"), minLength: 1, maxLength: 8 }),
    fc.constantFrom("!MixedRoom:example.org", "@Alice:Matrix.org", "a%3Ab", "x:thread:y", "AbC=", "%25"),
  )
  .filter((value) => value.trim() !== "");
const channel = fc.constantFrom("telegram", "matrix", "signal", "slack");
const parts: fc.Arbitrary<SessionKeyParts> = fc.oneof(
  fc.record({ kind: fc.constant("direct" as const), agentId: fc.constant("main"), channel, peerId: id, threadId: fc.option(id, { nil: undefined }) }),
  fc.record({ kind: fc.constantFrom("group" as const, "channel" as const), agentId: fc.constant("main"), channel, peerId: id, threadId: fc.option(id, { nil: undefined }) }),
);

describe("sessionKeyAliases names only the same conversation", () => {
  it("every alias canonicalizes back to its key", () => {
    fc.assert(
      fc.property(parts, (p) => {
        const key = buildSessionKey(p);
        for (const alias of sessionKeyAliases(key)) {
          expect(canonicalizeSessionKey(alias, { channel: p.channel }), alias).toBe(key);
        }
      }),
      { numRuns: 600 },
    );
  });

  it("every case-folded alias names the same ids up to case", () => {
    fc.assert(
      fc.property(parts, (p) => {
        const key = buildSessionKey(p);
        const parsed = parseSessionKey(key);
        for (const alias of caseFoldedAliases(key)) {
          const folded = parseSessionKey(canonicalizeSessionKey(alias, { channel: p.channel }));
          expect(folded?.peerId, alias).toBe(parsed?.peerId?.toLowerCase());
          expect(folded?.threadId, alias).toBe(parsed?.threadId?.toLowerCase());
        }
      }),
      { numRuns: 600 },
    );
  });
});
