import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HubError } from "../../src/errors.js";
import {
  buildSessionKey,
  canonicalizeSessionKey,
  parseSessionKey,
  resolveSessionKey,
  type ResolveSessionKeyOptions,
  type SessionKeyContext,
  type SessionKeyParts,
} from "../../src/keys/index.js";

const RUNS = 400;

/** Arbitrary unicode ids, with the grammar's own characters and words mixed in. */
const id = fc
  .oneof(
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
    fc.string({ unit: fc.constantFrom(":", "%", "3", "A", "a", "2", "5", " ", "é", "🙂", "dm", "thread", "topic", "group"), minLength: 1, maxLength: 8 }),
    fc.constantFrom("thread", "topic", "dm", "direct", "group", "channel", "%3A", "%25", "a:b", "@Alice:Matrix.org", "+1 (555) 010-2030"),
  )
  .filter((value) => value.trim() !== "");

const channel = fc.constantFrom("telegram", "whatsapp", "discord", "slack", "matrix", "signal", "imessage", "x:y", "thread", "topic", "cron", "main");
const token = fc.constantFrom("main", "ops", "work-bot", "a_b", "thread", "topic", "cron");

const parts: fc.Arbitrary<SessionKeyParts> = fc.oneof(
  fc.record({ kind: fc.constant("main" as const), agentId: token, mainKey: fc.oneof(token, id.filter((v) => !["dm", "direct", "group", "channel"].includes(v.trim().toLowerCase()))), threadId: fc.option(id, { nil: undefined }) }),
  fc.record({ kind: fc.constant("direct" as const), agentId: token, peerId: id, threadId: fc.option(id, { nil: undefined }) }),
  fc.record({ kind: fc.constant("direct" as const), agentId: token, channel, peerId: id, accountId: fc.option(token, { nil: undefined }), threadId: fc.option(id, { nil: undefined }) }),
  fc.record({ kind: fc.constantFrom("group" as const, "channel" as const), agentId: token, channel, peerId: id, threadId: fc.option(id, { nil: undefined }) }),
);

function expectInvalidKey(error: unknown): void {
  expect(error).toBeInstanceOf(HubError);
  expect((error as HubError).code).toBe("E_INVALID_KEY");
}

describe("key grammar properties", () => {
  it("build → parse → build is the identity, and parse returns the normalized parts", () => {
    fc.assert(
      fc.property(parts, (p) => {
        const key = buildSessionKey(p);
        const parsed = parseSessionKey(key);
        expect(parsed).not.toBeNull();
        expect(parsed?.kind).toBe(p.kind);
        expect(buildSessionKey(parsed as SessionKeyParts)).toBe(key);
        if (p.kind !== "main") {
          // The id survives the trip (trimmed; case and E.164 as the builder decided).
          expect(buildSessionKey({ ...p, peerId: parsed?.peerId })).toBe(key);
        }
        expect(parsed?.threadId === undefined).toBe(p.threadId === undefined);
      }),
      { numRuns: RUNS },
    );
  });

  it("ids keep their exact text on case-sensitive channels", () => {
    fc.assert(
      fc.property(id, fc.option(id, { nil: undefined }), fc.constantFrom("group" as const, "channel" as const, "direct" as const), (raw, thread, kind) => {
        const channelName = kind === "direct" ? "matrix" : "signal";
        const key = buildSessionKey({ kind, channel: channelName, peerId: raw, threadId: thread });
        const parsed = parseSessionKey(key);
        expect(parsed?.peerId).toBe(raw.trim());
        expect(parsed?.threadId).toBe(thread?.trim());
        expect(parsed?.channel).toBe(channelName);
      }),
      { numRuns: RUNS },
    );
  });

  it("parseSessionKey never throws on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "grapheme" }), fc.string({ unit: fc.constantFrom("agent", ":", "main", "dm", "group", "thread", "%", "3A", " ", "x", "cron") })), (text) => {
        const parsed = parseSessionKey(text);
        if (parsed !== null) expect(typeof parsed.kind).toBe("string");
      }),
      { numRuns: RUNS * 2 },
    );
  });

  const field = fc.option(fc.oneof(fc.string({ unit: "grapheme", maxLength: 16 }), id, fc.constantFrom("telegram:group:-1", "group:x", "123@g.us", "whatsapp:+1 555 010 2030", "slack:channel:C1:thread:9", "agent:main:main", "agent:", "cron:x")), { nil: undefined });
  const context: fc.Arbitrary<SessionKeyContext> = fc.record(
    {
      channel: fc.option(fc.oneof(channel, fc.string({ maxLength: 8 })), { nil: undefined }),
      chatType: fc.option(fc.constantFrom("direct" as const, "dm" as const, "group" as const, "channel" as const, "room" as const), { nil: undefined }),
      peerId: field,
      from: field,
      accountId: field,
      threadId: fc.option(fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), { nil: undefined }),
      sessionKey: field,
    },
    { requiredKeys: [] },
  );
  const options: fc.Arbitrary<ResolveSessionKeyOptions> = fc.record(
    {
      agentId: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
      dmScope: fc.constantFrom("main" as const, "per-peer" as const, "per-channel-peer" as const, "per-account-channel-peer" as const),
      identityLinks: fc.constant({ alice: ["telegram:1", "2", "whatsapp:+15550102030"] }),
      scope: fc.constantFrom("per-sender" as const, "global" as const),
    },
    { requiredKeys: [] },
  );

  it("resolveSessionKey output always parses (or it throws E_INVALID_KEY)", () => {
    fc.assert(
      fc.property(context, options, (ctx, opts) => {
        let key: string;
        try {
          key = resolveSessionKey(ctx, opts);
        } catch (error) {
          expectInvalidKey(error);
          return;
        }
        expect(parseSessionKey(key)).not.toBeNull();
        // A resolved key handed back as sessionKey resolves to itself.
        expect(resolveSessionKey({ sessionKey: key }, opts)).toBe(key);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("canonicalizeSessionKey is idempotent and its output parses", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "grapheme", maxLength: 24 }), fc.string({ unit: fc.constantFrom("agent:", "main", ":", "dm", "direct", "Group", "telegram", "X", "%3A", " ", "cron:", "thread") })), (text) => {
        let canonical: string;
        try {
          canonical = canonicalizeSessionKey(text);
        } catch (error) {
          expectInvalidKey(error);
          return;
        }
        expect(parseSessionKey(canonical)).not.toBeNull();
        expect(canonicalizeSessionKey(canonical)).toBe(canonical);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
