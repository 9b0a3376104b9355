/**
 * `hub.receive` end to end on a real state dir with an injected clock: new sessions, daily and
 * idle resets, triggers, de-duplication, route metadata and the activity clock, and two
 * messages racing for one stale session.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { claimInbound } from "../../src/backend/file/dedupe/dedupe.js";
import { HOUR, MINUTE, processed, readStoreFile, sessionsDir, transcriptMessages, useHub } from "./helpers.js";

const t = useHub("2026-11-20T09:00:00Z");

const aliceDm = { channel: "telegram", chatType: "direct", peerId: "111", senderName: "Alice" } as const;
const ALICE_KEY = "agent:main:telegram:dm:111";

describe("a first message", () => {
  it("creates the session, its transcript, and reports it as new", async () => {
    const hub = await t.open();
    const r = processed(await hub.receive({ ...aliceDm, messageId: "tg-1", text: "Morning!" }));
    expect(r).toMatchObject({ duplicate: false, sessionKey: ALICE_KEY, isNewSession: true, resetReason: "new", body: "Morning!" });
    expect(r.sessionId).toBe(r.entry.sessionId);
    expect(r.message).toMatchObject({ role: "user", content: "Morning!", timestamp: t.clock().at, parentId: null });
    expect(r.message.meta).toEqual({ channel: "telegram", senderId: "111", senderName: "Alice", gatewayMessageId: "tg-1" });

    const stored = (await readStoreFile(t.dir()))[ALICE_KEY];
    expect(stored).toMatchObject({
      sessionId: r.sessionId,
      updatedAt: t.clock().at,
      chatType: "direct",
      channel: "telegram",
      lastChannel: "telegram",
      lastTo: "111",
      deliveryContext: { channel: "telegram", to: "111" },
      displayName: "Alice",
      sessionFile: `${r.sessionId}.jsonl`,
    });
    const lines = await transcriptMessages(t.dir(), r.sessionId);
    expect(lines.map((l) => l.message?.content)).toEqual(["Morning!"]);
  });

  it("a second message in the same session is not new and chains to the first", async () => {
    const hub = await t.open();
    const first = processed(await hub.receive({ ...aliceDm, text: "one" }));
    t.clock().advance(MINUTE);
    const second = processed(await hub.receive({ ...aliceDm, text: "two" }));
    expect(second.isNewSession).toBe(false);
    expect(second).not.toHaveProperty("resetReason");
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.message.parentId).toBe(first.message.id);
    expect(second.entry.updatedAt).toBe(t.clock().at);
  });

  it.each([
    [{ channel: "telegram", peerId: "1" }, "message.text must be a string, got undefined"],
    [{ channel: 5, peerId: "1", text: "x" }, "message.channel must be a string, got 5"],
    [{ channel: "telegram", peerId: {}, text: "x" }, "message.peerId must be a string or a number, got an object"],
    [{ channel: "telegram", peerId: "1", threadId: {}, text: "x" }, "message.threadId must be a string or a number, got an object"],
    [{ channel: "telegram", peerId: "1", messageId: ["m1"], text: "x" }, "message.messageId must be a string or a number, got an array"],
    [{ channel: "telegram", peerId: "1", senderName: 7, text: "x" }, "message.senderName must be a string, got 7"],
    [{ channel: "telegram", peerId: "1", isAuthorized: "no", text: "/new" }, 'message.isAuthorized must be a boolean, got "no"'],
    [{ channel: "telegram", peerId: "1", messageId: "m1", timestamp: "yesterday", text: "x" }, 'message.timestamp must be epoch ms (a finite number from 0 to 8640000000000000), got "yesterday"'],
    [{ channel: "telegram", peerId: "1", messageId: "m1", timestamp: 8.64e15 + 1, text: "x" }, "message.timestamp must be epoch ms (a finite number from 0 to 8640000000000000), got 8640000000000001"],
    [{ channel: "telegram", peerId: "1", messageId: "m1", timestamp: Infinity, text: "x" }, "message.timestamp must be epoch ms (a finite number from 0 to 8640000000000000), got Infinity"],
    [{ channel: "telegram", peerId: "1", messageId: "m1", timestamp: -1, text: "x" }, "message.timestamp must be epoch ms (a finite number from 0 to 8640000000000000), got -1"],
    [null, "message must be an object, got null"],
  ])("rejects %j with E_INVALID_ARGUMENT and leaves no trace", async (message, error) => {
    const hub = await t.open();
    await expect(hub.receive(message as never)).rejects.toMatchObject({ code: "E_INVALID_ARGUMENT", message: error });
    expect(await fs.readdir(t.dir())).toEqual([]);
  });
});

describe("daily reset (Europe/Berlin, atHour 4)", () => {
  const config = { session: { reset: { mode: "daily" as const, atHour: 4 }, timezone: "Europe/Berlin" } };

  it("keeps the session before 04:00 local and resets at 04:00 local (03:00 UTC in winter)", async () => {
    const clock = t.clock();
    clock.at = Date.parse("2026-11-20T02:30:00Z"); // 03:30 in Berlin
    const hub = await t.open({ config });
    const first = processed(await hub.receive({ ...aliceDm, text: "late night" }));
    clock.at = Date.parse("2026-11-20T02:59:00Z"); // 03:59 in Berlin
    const before = processed(await hub.receive({ ...aliceDm, text: "still up" }));
    expect(before.isNewSession).toBe(false);
    expect(before.sessionId).toBe(first.sessionId);

    clock.at = Date.parse("2026-11-20T03:00:00Z"); // 04:00 in Berlin: the boundary
    const after = processed(await hub.receive({ ...aliceDm, text: "good morning" }));
    expect(after).toMatchObject({ isNewSession: true, resetReason: "daily", body: "good morning" });
    expect(after.sessionId).not.toBe(first.sessionId);
    expect(after.entry.previousSessionIds).toEqual([first.sessionId]);

    // Each session has its own transcript; the old one is untouched.
    expect((await transcriptMessages(t.dir(), first.sessionId)).map((l) => l.message?.content)).toEqual(["late night", "still up"]);
    expect((await transcriptMessages(t.dir(), after.sessionId)).map((l) => l.message?.content)).toEqual(["good morning"]);
  });

  it("a message after 04:00 UTC but the same Berlin day as the last one keeps the session", async () => {
    const clock = t.clock();
    clock.at = Date.parse("2026-11-20T03:30:00Z"); // 04:30 Berlin
    const hub = await t.open({ config });
    const first = processed(await hub.receive({ ...aliceDm, text: "early" }));
    clock.at = Date.parse("2026-11-20T22:30:00Z"); // 23:30 Berlin, same local day
    const later = processed(await hub.receive({ ...aliceDm, text: "late" }));
    expect(later.isNewSession).toBe(false);
    expect(later.sessionId).toBe(first.sessionId);
  });

  it("a reset keeps routing, levels and overrides and clears the token counters", async () => {
    const clock = t.clock();
    clock.at = Date.parse("2026-11-20T02:30:00Z");
    const hub = await t.open({ config });
    const first = processed(await hub.receive({ ...aliceDm, text: "hi" }));
    await hub.store.update(ALICE_KEY, { thinkingLevel: "high", modelOverride: "gpt-5", totalTokens: 1234, systemSent: true, label: "Alice" });
    clock.at = Date.parse("2026-11-21T08:00:00Z");
    const next = processed(await hub.receive({ ...aliceDm, text: "new day" }));
    expect(next.resetReason).toBe("daily");
    expect(next.entry).toMatchObject({ thinkingLevel: "high", modelOverride: "gpt-5", label: "Alice", lastTo: "111", previousSessionIds: [first.sessionId] });
    expect(next.entry).not.toHaveProperty("totalTokens");
    expect(next.entry).not.toHaveProperty("systemSent");
  });
});

describe("idle reset", () => {
  const config = { session: { reset: { mode: "idle" as const, idleMinutes: 30 } } };

  it("keeps the session at exactly idleMinutes and resets just after", async () => {
    const hub = await t.open({ config });
    const first = processed(await hub.receive({ ...aliceDm, text: "a" }));
    t.clock().advance(30 * MINUTE);
    const onTheEdge = processed(await hub.receive({ ...aliceDm, text: "b" }));
    expect(onTheEdge.isNewSession).toBe(false);
    t.clock().advance(30 * MINUTE + 1);
    const idle = processed(await hub.receive({ ...aliceDm, text: "c" }));
    expect(idle).toMatchObject({ isNewSession: true, resetReason: "idle" });
    expect(idle.entry.previousSessionIds).toEqual([first.sessionId]);
  });

  it("resetByType applies a group policy to groups only", async () => {
    const hub = await t.open({ config: { session: { reset: { mode: "never" }, resetByType: { group: { mode: "idle", idleMinutes: 10 } } } } });
    const group = { channel: "whatsapp", from: "120363012345@g.us", text: "x" };
    await hub.receive(group);
    await hub.receive({ ...aliceDm, text: "x" });
    t.clock().advance(11 * MINUTE);
    expect(processed(await hub.receive(group)).resetReason).toBe("idle");
    expect(processed(await hub.receive({ ...aliceDm, text: "y" })).isNewSession).toBe(false);
  });
});

describe("reset triggers", () => {
  const models = ["anthropic/claude-sonnet", "openai/gpt-5"];

  it("/new with a remainder resets and passes the remainder on as the body", async () => {
    const hub = await t.open();
    const first = processed(await hub.receive({ ...aliceDm, text: "hello" }));
    t.clock().advance(MINUTE);
    const r = processed(await hub.receive({ ...aliceDm, text: "/new Plan my week" }));
    expect(r).toMatchObject({ isNewSession: true, resetReason: "trigger", body: "Plan my week" });
    expect(r).not.toHaveProperty("model");
    expect(r.entry.previousSessionIds).toEqual([first.sessionId]);
    expect((await transcriptMessages(t.dir(), r.sessionId)).map((l) => l.message?.content)).toEqual(["Plan my week"]);
  });

  it("/new <model> with allowed models sets the override and strips the model from the body", async () => {
    const hub = await t.open({ models });
    await hub.receive({ ...aliceDm, text: "hello" });
    const r = processed(await hub.receive({ ...aliceDm, text: "/new openai/gpt-5 Plan my week" }));
    expect(r).toMatchObject({ resetReason: "trigger", body: "Plan my week", model: "openai/gpt-5" });
    expect(r.entry).toMatchObject({ providerOverride: "openai", modelOverride: "gpt-5" });
    const alias = processed(await hub.receive({ ...aliceDm, text: "/NEW claude-sonnet" }));
    expect(alias).toMatchObject({ resetReason: "trigger", body: "", model: "anthropic/claude-sonnet" });
    expect(alias.entry).toMatchObject({ providerOverride: "anthropic", modelOverride: "claude-sonnet" });
  });

  it("a word that names no allowed model stays in the body", async () => {
    const hub = await t.open({ models });
    await hub.receive({ ...aliceDm, text: "hello" });
    const r = processed(await hub.receive({ ...aliceDm, text: "/reset llama tell me a joke" }));
    expect(r).toMatchObject({ resetReason: "trigger", body: "llama tell me a joke" });
    expect(r).not.toHaveProperty("model");
  });

  it("a bare /new keeps the command itself in the transcript (the message is never dropped)", async () => {
    const hub = await t.open();
    await hub.receive({ ...aliceDm, text: "hello" });
    const r = processed(await hub.receive({ ...aliceDm, text: "/new" }));
    expect(r).toMatchObject({ resetReason: "trigger", body: "" });
    expect((await transcriptMessages(t.dir(), r.sessionId)).map((l) => l.message?.content)).toEqual(["/new"]);
  });

  it("an unauthorized sender cannot reset: no reset, the text is kept as it is", async () => {
    const hub = await t.open();
    const first = processed(await hub.receive({ ...aliceDm, text: "hello" }));
    const r = processed(await hub.receive({ ...aliceDm, isAuthorized: false, text: "/new hello again" }));
    expect(r).toMatchObject({ isNewSession: false, body: "/new hello again", sessionId: first.sessionId });
    expect(r).not.toHaveProperty("resetReason");
    expect((await transcriptMessages(t.dir(), first.sessionId)).map((l) => l.message?.content)).toEqual(["hello", "/new hello again"]);
  });

  it("in a group, a trigger after a mention resets; configured extra triggers work", async () => {
    const hub = await t.open({ config: { session: { resetTriggers: ["/fresh"] } } });
    const group = { channel: "discord", chatType: "group", peerId: "G1", senderName: "Dana" } as const;
    await hub.receive({ ...group, text: "hi all" });
    expect(processed(await hub.receive({ ...group, text: "<@U123> /new let's start over" }))).toMatchObject({ resetReason: "trigger", body: "let's start over" });
    expect(processed(await hub.receive({ ...group, text: "/fresh go" }))).toMatchObject({ resetReason: "trigger", body: "go" });
    expect(processed(await hub.receive({ ...group, text: "/newfoo" }))).toMatchObject({ isNewSession: false, body: "/newfoo" });
  });
});

describe("de-duplication", () => {
  it("a redelivered messageId is reported as a duplicate and nothing is appended", async () => {
    const hub = await t.open();
    const message = { ...aliceDm, messageId: "tg-42", text: "once" };
    const first = processed(await hub.receive(message));
    const storeBefore = await readStoreFile(t.dir());
    t.clock().advance(MINUTE);
    expect(await hub.receive(message)).toEqual({ duplicate: true });
    expect(await readStoreFile(t.dir())).toEqual(storeBefore);
    expect(await transcriptMessages(t.dir(), first.sessionId)).toHaveLength(1);
  });

  it("survives a new hub instance; the same id from another peer is a different message", async () => {
    const message = { ...aliceDm, messageId: "tg-42", text: "once" };
    await (await t.open()).receive(message);
    const again = await t.open();
    expect(await again.receive(message)).toEqual({ duplicate: true });
    expect(processed(await again.receive({ ...message, peerId: "222" })).sessionKey).toBe("agent:main:telegram:dm:222");
  });

  it("messages.dedupe.ttl from the config bounds how long a repeat counts as a duplicate", async () => {
    const hub = await t.open({ config: { messages: { dedupe: { ttl: "1h" } } } });
    const message = { ...aliceDm, messageId: "tg-7", text: "ping" };
    await hub.receive(message);
    t.clock().advance(59 * MINUTE);
    expect(await hub.receive(message)).toEqual({ duplicate: true });
    t.clock().advance(2 * MINUTE);
    expect(processed(await hub.receive(message)).body).toBe("ping");
  });

  it("a message whose processing failed is not a duplicate when the channel redelivers it", async () => {
    const hub = await t.open();
    // An entry whose sessionFile points outside the sessions directory: the append is refused.
    await hub.store.update(ALICE_KEY, { sessionFile: "../outside.jsonl" });
    const message = { ...aliceDm, messageId: "tg-9", text: "are you there?" };
    await expect(hub.receive(message)).rejects.toMatchObject({ code: "E_INVALID_SESSION_FILE" });
    await hub.store.update(ALICE_KEY, { sessionFile: undefined });
    const redelivered = processed(await hub.receive(message));
    expect(await transcriptMessages(t.dir(), redelivered.sessionId)).toEqual([expect.objectContaining({ message: expect.objectContaining({ role: "user", content: "are you there?" }) })]);
    expect(await hub.receive(message)).toEqual({ duplicate: true });
  });

  it("messages without a messageId are never de-duplicated", async () => {
    const hub = await t.open();
    const a = processed(await hub.receive({ ...aliceDm, text: "same" }));
    processed(await hub.receive({ ...aliceDm, text: "same" }));
    expect(await transcriptMessages(t.dir(), a.sessionId)).toHaveLength(2);
  });
});

describe("route metadata and the activity clock", () => {
  it("records a changed route without moving updatedAt: it ends at the message time, not the write time", async () => {
    const hub = await t.open({ config: { session: { reset: { mode: "never" } } } });
    const group = { channel: "whatsapp", from: "120363012345@g.us", senderName: "Mum" };
    const first = processed(await hub.receive({ ...group, groupSubject: "Family", accountId: "home", text: "a" }));
    const sentAt = t.clock().at + MINUTE;
    t.clock().advance(10 * MINUTE); // the message arrives late: the hub's clock is past its timestamp
    const r = processed(await hub.receive({ ...group, groupSubject: "Family 🏡", accountId: "work", timestamp: sentAt, text: "b" }));
    expect(r.sessionId).toBe(first.sessionId);
    await hub.store.compact(); // the clock of the append is in the journal until folded
    const stored = (await readStoreFile(t.dir()))[r.sessionKey];
    expect(stored).toMatchObject({ subject: "Family 🏡", lastAccountId: "work", origin: { label: "Family 🏡 id:120363012345@g.us", accountId: "work" } });
    expect(stored?.updatedAt).toBe(sentAt);
    expect(r.entry.updatedAt).toBe(sentAt);
  });

  it("a message outside any thread clears the last thread id", async () => {
    const hub = await t.open();
    const dm = { channel: "discord", chatType: "direct", peerId: "9" } as const;
    await hub.receive({ ...dm, text: "plain" });
    const key = "agent:main:discord:dm:9";
    await hub.store.update(key, { lastThreadId: "old-thread" });
    await hub.receive({ ...dm, text: "again" });
    expect(await hub.session(key)).not.toHaveProperty("lastThreadId");
  });
});

describe("keys from real channel shapes", () => {
  it("an identity-linked person shares one session across Telegram and Discord", async () => {
    const hub = await t.open({ config: { session: { identityLinks: { alice: ["telegram:111", "discord:222"] } } } });
    const tg = processed(await hub.receive({ channel: "telegram", chatType: "direct", peerId: "111", text: "from telegram" }));
    t.clock().advance(MINUTE);
    const dc = processed(await hub.receive({ channel: "discord", chatType: "direct", peerId: "222", text: "from discord" }));
    expect(tg.sessionKey).toBe("agent:main:dm:alice");
    expect(dc).toMatchObject({ sessionKey: "agent:main:dm:alice", sessionId: tg.sessionId, isNewSession: false });
    expect(dc.entry).toMatchObject({ lastChannel: "discord", lastTo: "222" });
    const lines = await transcriptMessages(t.dir(), tg.sessionId);
    expect(lines.map((l) => l.meta?.channel)).toEqual(["telegram", "discord"]);
  });

  it("a WhatsApp group is recognised from its @g.us jid", async () => {
    const hub = await t.open();
    const r = processed(await hub.receive({ channel: "whatsapp", from: "120363012345@g.us", groupSubject: "Family", senderName: "Mum", senderId: "+15550001111", text: "Dinner?" }));
    expect(r.sessionKey).toBe("agent:main:whatsapp:group:120363012345@g.us");
    expect(r.entry).toMatchObject({ chatType: "group", channel: "whatsapp", groupId: "120363012345@g.us", subject: "Family", lastTo: "120363012345@g.us" });
    expect(r.message.meta).toMatchObject({ senderName: "Mum", senderId: "+15550001111" });
  });

  it("a WhatsApp DM normalizes the phone number to E.164", async () => {
    const hub = await t.open();
    const r = processed(await hub.receive({ channel: "whatsapp", from: "whatsapp:+1 (555) 010-2030", text: "hi" }));
    expect(r.sessionKey).toBe("agent:main:whatsapp:dm:+15550102030");
    expect(r.entry.lastTo).toBe("+15550102030");
  });

  it("a Slack thread is its own session; replies keep the channel's own spelling of the id", async () => {
    const hub = await t.open();
    const thread = { channel: "slack", chatType: "channel", peerId: "C0ENG", threadId: "1732000000.000100", senderName: "Dana" } as const;
    const r = processed(await hub.receive({ ...thread, text: "summarize please" }));
    expect(r.sessionKey).toBe("agent:main:slack:channel:c0eng:thread:1732000000.000100");
    expect(r.entry).toMatchObject({ chatType: "channel", lastTo: "C0ENG", lastThreadId: "1732000000.000100", deliveryContext: { channel: "slack", to: "C0ENG", threadId: "1732000000.000100" } });
    const channelMessage = processed(await hub.receive({ channel: "slack", chatType: "channel", peerId: "C0ENG", text: "top level" }));
    expect(channelMessage.sessionKey).toBe("agent:main:slack:channel:c0eng");
    expect(channelMessage.sessionId).not.toBe(r.sessionId);
  });

  it("migrates a clawdbot legacy key on receive: same session, one entry under the canonical key", async () => {
    const dir = sessionsDir(t.dir());
    await fs.mkdir(dir, { recursive: true });
    const legacy = { sessionId: "d1rect00-aaaa-4bbb-8ccc-dddddddddddd", updatedAt: t.clock().at - 10 * MINUTE, chatType: "direct", lastChannel: "telegram", lastTo: "5550001", thinkingLevel: "low" };
    await fs.writeFile(path.join(dir, "sessions.json"), JSON.stringify({ "agent:main:telegram:direct:5550001": legacy }, null, 2));
    const hub = await t.open({ config: { session: { reset: { mode: "idle", idleMinutes: 60 } } } });
    const r = processed(await hub.receive({ channel: "telegram", chatType: "direct", peerId: "5550001", text: "back again" }));
    expect(r).toMatchObject({ sessionKey: "agent:main:telegram:dm:5550001", sessionId: legacy.sessionId, isNewSession: false });
    const stored = await readStoreFile(t.dir());
    expect(Object.keys(stored)).toEqual(["agent:main:telegram:dm:5550001"]);
    expect(stored["agent:main:telegram:dm:5550001"]).toMatchObject({ sessionId: legacy.sessionId, thinkingLevel: "low", updatedAt: t.clock().at });
  });
});

describe("two messages racing for one stale session", () => {
  it("produce exactly one reset; both land in the new session's transcript", async () => {
    const hub = await t.open({ config: { session: { reset: { mode: "idle", idleMinutes: 30 } } } });
    const old = processed(await hub.receive({ ...aliceDm, text: "yesterday" }));
    t.clock().advance(2 * HOUR);
    const [a, b] = (await Promise.all([hub.receive({ ...aliceDm, text: "first" }), hub.receive({ ...aliceDm, text: "second" })])).map(processed);
    expect([a?.isNewSession, b?.isNewSession].filter(Boolean)).toHaveLength(1);
    expect([a?.resetReason, b?.resetReason].filter((r) => r !== undefined)).toEqual(["idle"]);
    expect(a?.sessionId).toBe(b?.sessionId);
    expect(a?.sessionId).not.toBe(old.sessionId);
    const entry = await hub.session(ALICE_KEY);
    expect(entry?.previousSessionIds).toEqual([old.sessionId]);
    const contents = (await transcriptMessages(t.dir(), entry?.sessionId ?? "")).map((l) => l.message?.content);
    expect(contents.sort()).toEqual(["first", "second"]);
  });

  it("two hubs on one state dir (two gateways) still produce exactly one reset", async () => {
    const config = { session: { reset: { mode: "idle" as const, idleMinutes: 30 } } };
    const one = await t.open({ config });
    const two = await t.open({ config });
    const old = processed(await one.receive({ ...aliceDm, text: "yesterday" }));
    t.clock().advance(2 * HOUR);
    const results = (await Promise.all([one.receive({ ...aliceDm, text: "a" }), two.receive({ ...aliceDm, text: "b" })])).map(processed);
    expect(results.filter((r) => r.isNewSession)).toHaveLength(1);
    expect(new Set(results.map((r) => r.sessionId)).size).toBe(1);
    expect((await one.session(ALICE_KEY))?.previousSessionIds).toEqual([old.sessionId]);
  });
});

describe("concurrent calls for one conversation", () => {
  it("messages reach the transcript in the order receive was called", async () => {
    const hub = await t.open();
    const texts = Array.from({ length: 60 }, (_, i) => `m${i}`);
    const results = (await Promise.all(texts.map((text) => hub.receive({ ...aliceDm, text })))).map(processed);
    expect(results.map((r) => r.body)).toEqual(texts);
    const lines = await transcriptMessages(t.dir(), results[0]?.sessionId ?? "");
    expect(lines.map((l) => l.message?.content)).toEqual(texts);
    // The parentId chain follows the same order.
    expect(lines.slice(1).map((l) => l.parentId)).toEqual(lines.slice(0, -1).map((l) => l.id));
  });

  it("a /new called right after a message does not pull that message into the new session", async () => {
    const hub = await t.open();
    const old = processed(await hub.receive({ ...aliceDm, text: "first" }));
    const [before, reset, after] = (
      await Promise.all([hub.receive({ ...aliceDm, text: "still old" }), hub.receive({ ...aliceDm, text: "/new fresh" }), hub.receive({ ...aliceDm, text: "new one" })])
    ).map(processed);
    expect(before?.sessionId).toBe(old.sessionId);
    expect(reset).toMatchObject({ resetReason: "trigger" });
    expect(after?.sessionId).toBe(reset?.sessionId);
    expect((await transcriptMessages(t.dir(), old.sessionId)).map((l) => l.message?.content)).toEqual(["first", "still old"]);
    expect((await transcriptMessages(t.dir(), reset?.sessionId ?? "")).map((l) => l.message?.content)).toEqual(["fresh", "new one"]);
  });

  it("replies and messages interleave in call order; other conversations are not held up", async () => {
    const hub = await t.open();
    const first = processed(await hub.receive({ ...aliceDm, text: "q1" }));
    await Promise.all([
      hub.reply(ALICE_KEY, { text: "a1 part 1" }),
      hub.reply(ALICE_KEY, { text: "a1 part 2" }),
      hub.receive({ ...aliceDm, text: "q2" }),
      hub.receive({ channel: "telegram", chatType: "direct", peerId: "222", text: "bob" }),
      hub.reply(ALICE_KEY, { text: "a2" }),
    ]);
    expect((await transcriptMessages(t.dir(), first.sessionId)).map((l) => l.message?.content)).toEqual(["q1", "a1 part 1", "a1 part 2", "q2", "a2"]);
  });

  it("a failing call does not block the calls after it", async () => {
    const hub = await t.open();
    await hub.receive({ ...aliceDm, text: "hi" });
    const results = await Promise.allSettled([hub.reply(ALICE_KEY, { text: "ok" }), hub.reply("agent:main:telegram:dm:404", { text: "x" }), hub.receive({ ...aliceDm, text: "after" })]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });

  it("close waits for the calls in flight", async () => {
    const hub = await t.open();
    const pending = hub.receive({ ...aliceDm, text: "in flight" });
    await hub.close();
    expect(processed(await pending).body).toBe("in flight");
  });
});

describe("explicit session keys", () => {
  it("an isolated cron run (cron:<jobId>) mints a fresh sessionId every time, keeping the old ones reachable", async () => {
    const hub = await t.open();
    const run = { channel: "cron", sessionKey: "cron:nightly-digest", text: "Write the nightly digest" };
    const first = processed(await hub.receive(run));
    expect(first).toMatchObject({ sessionKey: "cron:nightly-digest", isNewSession: true, resetReason: "new" });
    t.clock().advance(MINUTE);
    const second = processed(await hub.receive(run));
    expect(second).toMatchObject({ isNewSession: true, resetReason: "new" });
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(second.entry.previousSessionIds).toEqual([first.sessionId]);
    expect(await transcriptMessages(t.dir(), first.sessionId)).toHaveLength(1);
    expect(await transcriptMessages(t.dir(), second.sessionId)).toHaveLength(1);
  });

  it("any other explicit key is canonicalized and keeps its session", async () => {
    const hub = await t.open();
    const first = processed(await hub.receive({ channel: "telegram", sessionKey: " Agent:Main:Main ", text: "hello" }));
    expect(first.sessionKey).toBe("agent:main:main");
    t.clock().advance(MINUTE);
    const second = processed(await hub.receive({ channel: "telegram", sessionKey: "main", text: "again" }));
    expect(second).toMatchObject({ sessionKey: "agent:main:main", sessionId: first.sessionId, isNewSession: false });
  });
});

describe("a message timestamp in the future", () => {
  it("is kept on the message, but the activity clock stops at now + 5 minutes, so resets still happen", async () => {
    const config = { session: { reset: { mode: "daily" as const, atHour: 4 }, timezone: "UTC" } };
    const hub = await t.open({ config });
    const future = Date.parse("2099-01-01T00:00:00Z");
    const first = processed(await hub.receive({ channel: "telegram", peerId: "7", messageId: "f1", timestamp: future, text: "from the future" }));
    expect(first.message.timestamp).toBe(future);
    expect((await hub.session(first.sessionKey))?.updatedAt).toBe(t.clock().at + 5 * MINUTE);
    t.clock().advance(24 * HOUR);
    const next = processed(await hub.receive({ channel: "telegram", peerId: "7", messageId: "f2", text: "a day later" }));
    expect(next).toMatchObject({ isNewSession: true, resetReason: "daily" });
  });

  it("an entry hand-stamped in 2099 is not immune: the transcript decides, and the clock goes back to it", async () => {
    const config = { session: { reset: { mode: "idle" as const, idleMinutes: 60 } } };
    const hub = await t.open({ config });
    const first = processed(await hub.receive({ channel: "telegram", peerId: "8", messageId: "g1", text: "hi" }));
    await hub.store.update(first.sessionKey, { updatedAt: Date.parse("2099-01-01T00:00:00Z") });
    t.clock().advance(MINUTE);
    // The transcript's last message is a minute old: no reset (the transcript is the truth).
    const next = processed(await hub.receive({ channel: "telegram", peerId: "8", messageId: "g2", text: "again" }));
    expect(next).toMatchObject({ isNewSession: false, sessionId: first.sessionId });
    expect(next.entry.updatedAt).toBe(t.clock().at);
    t.clock().advance(61 * MINUTE);
    const idle = processed(await hub.receive({ channel: "telegram", peerId: "8", messageId: "g3", text: "later" }));
    expect(idle).toMatchObject({ isNewSession: true, resetReason: "idle" });
    expect(idle.entry.updatedAt).toBe(t.clock().at);
  });
});

describe("de-duplication: claims older than 2 minutes are checked against the transcript", () => {
  it("a message in the transcript stays a duplicate, also after a reset moved it to a previous session", async () => {
    const hub = await t.open();
    const message = { ...aliceDm, messageId: "tg-90", text: "once" };
    const first = processed(await hub.receive(message));
    t.clock().advance(3 * MINUTE);
    expect(await hub.receive(message)).toEqual({ duplicate: true });
    processed(await hub.receive({ ...aliceDm, messageId: "tg-91", text: "/new" }));
    t.clock().advance(3 * MINUTE);
    expect(await hub.receive(message)).toEqual({ duplicate: true });
    expect((await transcriptMessages(t.dir(), first.sessionId)).map((l) => l.meta?.gatewayMessageId)).toEqual(["tg-90"]);
  });

  it("a claim whose message never reached the transcript (a crash) is processed once the bound passed", async () => {
    const hub = await t.open();
    processed(await hub.receive({ ...aliceDm, messageId: "tg-1", text: "earlier" }));
    // A claim without its append, as a process killed between the two leaves it.
    expect(await claimInbound(hub.store, { channel: "telegram", peerId: "111", messageId: "tg-92" }, { now: t.clock().at })).toBe(true);
    const message = { ...aliceDm, messageId: "tg-92", text: "lost?" };
    t.clock().advance(MINUTE);
    expect(await hub.receive(message)).toEqual({ duplicate: true }); // its owner (this process) lives: maybe still appending
    t.clock().advance(2 * MINUTE);
    const r = processed(await hub.receive(message));
    expect((await transcriptMessages(t.dir(), r.sessionId)).map((l) => l.meta?.gatewayMessageId)).toEqual(["tg-1", "tg-92"]);
    expect(await hub.receive(message)).toEqual({ duplicate: true });
  });
});
