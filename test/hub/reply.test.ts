/**
 * `hub.reply` and the send policy (config rules, the `/send` override), and reading a session
 * back: history, latest, thread, contextSince + formatContext.
 */
import { describe, expect, it } from "vitest";
import { CONTEXT_HEADER, CURRENT_HEADER } from "../../src/hub/context.js";
import { deleteSessions } from "../../src/lifecycle/delete-sessions.js";
import { openSessionStore } from "../../src/backend/file/store/session-store.js";
import { appendMessage } from "../../src/backend/file/transcripts/transcript-append.js";
import { MINUTE, processed, transcriptMessages, useHub } from "./helpers.js";

const t = useHub();

const denyDiscordGroups = { session: { sendPolicy: { rules: [{ action: "deny" as const, match: { channel: "discord", chatType: "group" as const } }] } } };
const discordGroup = { channel: "discord", chatType: "group", peerId: "G1", senderName: "Dana" } as const;
const GROUP_KEY = "agent:main:discord:group:g1";
const dm = { channel: "telegram", chatType: "direct", peerId: "111", senderName: "Alice" } as const;
const DM_KEY = "agent:main:telegram:dm:111";

describe("reply", () => {
  it("an allowed reply is sent and appended as the assistant's message", async () => {
    const hub = await t.open();
    const inbound = processed(await hub.receive({ ...dm, text: "hi" }));
    t.clock().advance(MINUTE);
    const r = await hub.reply(DM_KEY, { text: "hello Alice", replyToId: "tg-1" });
    expect(r.sent).toBe(true);
    expect(r.message).toMatchObject({ role: "assistant", content: "hello Alice", parentId: inbound.message.id, timestamp: t.clock().at });
    expect(r.message.meta).toEqual({ channel: "telegram", replyToId: "tg-1" });
    const lines = await transcriptMessages(t.dir(), inbound.sessionId);
    expect(lines.map((l) => [l.message?.role, l.message?.content])).toEqual([
      ["user", "hi"],
      ["assistant", "hello Alice"],
    ]);
    expect((await hub.session(DM_KEY))?.updatedAt).toBe(t.clock().at);
  });

  it("a denied reply is not sent but kept in the transcript with meta.suppressed", async () => {
    const hub = await t.open({ config: denyDiscordGroups });
    const inbound = processed(await hub.receive({ ...discordGroup, text: "bot, summarize" }));
    const r = await hub.reply(GROUP_KEY, { text: "Summary: ..." });
    expect(r.sent).toBe(false);
    expect(r.message.meta).toMatchObject({ suppressed: true });
    const [, line] = await transcriptMessages(t.dir(), inbound.sessionId);
    expect(line?.message).toMatchObject({ role: "assistant", content: "Summary: ..." });
    expect(line?.meta).toMatchObject({ suppressed: true });
    // The rule is about groups: a DM on the same channel is still allowed.
    await hub.receive({ channel: "discord", chatType: "direct", peerId: "5", text: "hi" });
    const allowed = await hub.reply("agent:main:discord:dm:5", { content: [{ type: "text", text: "hey" }] });
    expect(allowed.sent).toBe(true);
    expect(allowed.message.meta).not.toHaveProperty("suppressed");
  });

  // openclaw src/auto-reply/reply/normalize-reply.ts: a reply whose text is empty after trimming,
  // with no media, is skipped ("empty") rather than delivered.
  it.each([
    ["whitespace text", { text: " \n\t " }, false],
    ["an empty string", { text: "" }, false],
    ["whitespace-only text blocks", { content: [{ type: "text", text: "  " }, { type: "text", text: "\n" }] }, false],
    ["no blocks", { content: [] }, false],
    ["an image block", { content: [{ type: "image", data: "aGk=", mimeType: "image/png" }] }, true],
    ["text with spaces around it", { text: "  ok  " }, true],
  ])("a reply of %s is sent only when it has something to deliver; it is always kept", async (_what, reply, sent) => {
    const hub = await t.open();
    const inbound = processed(await hub.receive({ ...dm, text: "hi" }));
    const r = await hub.reply(DM_KEY, reply);
    expect(r.sent).toBe(sent);
    expect(r.message.meta?.suppressed).toBe(sent ? undefined : true);
    const lines = await transcriptMessages(t.dir(), inbound.sessionId);
    expect(lines).toHaveLength(2);
  });

  it("rejects an unknown session with E_NOT_FOUND and a reply without text with E_INVALID_ARGUMENT", async () => {
    const hub = await t.open();
    await expect(hub.reply("agent:main:telegram:dm:404", { text: "x" })).rejects.toMatchObject({ code: "E_NOT_FOUND" });
    await hub.receive({ ...dm, text: "hi" });
    await expect(hub.reply(DM_KEY, {})).rejects.toMatchObject({
      code: "E_INVALID_ARGUMENT",
      message: "reply needs text (a string) or content (a string or blocks), got undefined",
    });
  });
});

describe("/send on|off|inherit", () => {
  it("changes the session's sendPolicy, which wins over the config's rules", async () => {
    const hub = await t.open({ config: denyDiscordGroups });
    const off = processed(await hub.receive({ ...discordGroup, text: "/send on" }));
    expect(off.sendPolicy).toBe("allow");
    expect(off.entry.sendPolicy).toBe("allow");
    expect((await hub.reply(GROUP_KEY, { text: "now allowed" })).sent).toBe(true);

    const inherit = processed(await hub.receive({ ...discordGroup, text: "/send inherit" }));
    expect(inherit.sendPolicy).toBe("inherit");
    expect(inherit.entry).not.toHaveProperty("sendPolicy");
    expect((await hub.reply(GROUP_KEY, { text: "denied again" })).sent).toBe(false);
  });

  it("/send off denies replies in a session the config allows; the command is kept in the transcript", async () => {
    const hub = await t.open();
    const r = processed(await hub.receive({ ...dm, text: "/send off" }));
    expect(r).toMatchObject({ sendPolicy: "deny", body: "/send off", isNewSession: true });
    expect((await hub.session(DM_KEY))?.sendPolicy).toBe("deny");
    expect((await hub.reply(DM_KEY, { text: "psst" })).sent).toBe(false);
    expect((await transcriptMessages(t.dir(), r.sessionId)).map((l) => l.message?.content)).toEqual(["/send off", "psst"]);
  });

  it("an unauthorized sender's /send changes nothing; /send in a sentence is not a command", async () => {
    const hub = await t.open();
    await hub.receive({ ...dm, text: "/send off" });
    const r = processed(await hub.receive({ ...dm, isAuthorized: false, text: "/send on" }));
    expect(r).not.toHaveProperty("sendPolicy");
    expect((await hub.session(DM_KEY))?.sendPolicy).toBe("deny");
    const sentence = processed(await hub.receive({ ...dm, text: "please /send on monday" }));
    expect(sentence).not.toHaveProperty("sendPolicy");
    expect((await hub.session(DM_KEY))?.sendPolicy).toBe("deny");
  });
});

describe("reading a session back", () => {
  it("history pages with cursors; latest gives the newest N oldest first", async () => {
    const hub = await t.open();
    for (const text of ["m1", "m2", "m3", "m4", "m5"]) {
      await hub.receive({ ...dm, text });
      t.clock().advance(MINUTE);
    }
    const page = await hub.history(DM_KEY, { limit: 2 });
    expect(page.messages.map((m) => m.content)).toEqual(["m4", "m5"]);
    const older = await hub.history(DM_KEY, { limit: 2, before: page.before });
    expect(older.messages.map((m) => m.content)).toEqual(["m2", "m3"]);
    const newer = await hub.history(DM_KEY, { after: older.after });
    expect(newer.messages.map((m) => m.content)).toEqual(["m4", "m5"]);
    expect((await hub.latest(DM_KEY, 3)).map((m) => m.content)).toEqual(["m3", "m4", "m5"]);
    expect((await hub.latest(DM_KEY)).map((m) => m.content)).toEqual(["m1", "m2", "m3", "m4", "m5"]);
  });

  it("thread returns the messages of one thread of a session, oldest first", async () => {
    const hub = await t.open();
    const dmThread = (threadId: string, text: string) => hub.receive({ channel: "discord", chatType: "direct", peerId: "7", text, threadId });
    // A DM thread is its own session key; messages carry their threadId in meta.
    await dmThread("t1", "a");
    await dmThread("t1", "b");
    const key = "agent:main:discord:dm:7:thread:t1";
    await hub.reply(key, { text: "answer in t1", threadId: "t1" });
    await hub.reply(key, { text: "answer outside" });
    expect((await hub.thread(key, "t1")).map((m) => m.content)).toEqual(["a", "b", "answer in t1"]);
    expect(await hub.thread(key, "nope")).toEqual([]);
  });
});

describe("contextSince and formatContext", () => {
  it("returns the messages after the last assistant message, rendered with clawdbot's headers and group labels", async () => {
    const hub = await t.open();
    await hub.receive({ ...discordGroup, text: "earlier" });
    await hub.reply(GROUP_KEY, { text: "answered" });
    await hub.receive({ ...discordGroup, senderName: "Mum", text: "Dinner on Sunday?" });
    await hub.receive({ ...discordGroup, senderName: "Dad", text: "Works for me" });
    await hub.receive({ ...discordGroup, senderName: "Dana", text: "@bot what do you think?" });
    const since = await hub.contextSince(GROUP_KEY);
    expect(since.map((m) => m.content)).toEqual(["Dinner on Sunday?", "Works for me", "@bot what do you think?"]);
    expect(hub.formatContext(since, { isGroup: true })).toBe(
      [CONTEXT_HEADER, "Mum: Dinner on Sunday?", "Dad: Works for me", "", CURRENT_HEADER, "Dana: @bot what do you think?"].join("\n"),
    );
    expect(hub.formatContext(since)).toBe([CONTEXT_HEADER, "Dinner on Sunday?", "Works for me", "", CURRENT_HEADER, "@bot what do you think?"].join("\n"));
  });

  it("the headers are clawdbot's exact strings", () => {
    expect(CONTEXT_HEADER).toBe("[Chat messages since your last reply - for context]");
    expect(CURRENT_HEADER).toBe("[Current message - respond to this]");
  });

  it("with no assistant message yet, everything is context; a single message is returned bare", async () => {
    const hub = await t.open();
    await hub.receive({ ...dm, text: "one" });
    expect(hub.formatContext(await hub.contextSince(DM_KEY))).toBe("one");
    await hub.receive({ ...dm, text: "two" });
    expect((await hub.contextSince(DM_KEY)).map((m) => m.content)).toEqual(["one", "two"]);
    await hub.reply(DM_KEY, { text: "ok" });
    expect(await hub.contextSince(DM_KEY)).toEqual([]);
    expect(hub.formatContext([])).toBe("");
  });

  it("reads past one page of a long transcript", async () => {
    const hub = await t.open();
    await hub.receive({ ...dm, text: "start" });
    await hub.reply(DM_KEY, { text: "ok" });
    const texts = Array.from({ length: 230 }, (_, i) => `m${i}`);
    // Appended directly (one coalesced write) to keep the test fast; receive adds nothing here.
    await Promise.all(texts.map((text) => appendMessage(hub.store, DM_KEY, { role: "user", content: text })));
    const since = await hub.contextSince(DM_KEY);
    expect(since.map((m) => m.content)).toEqual(texts);
  });
});

describe("a reply after an operator deleted the session mid-turn", () => {
  async function deleteElsewhere(key: string): Promise<void> {
    // Another process (the CLI) deletes the session between receive and reply.
    const other = openSessionStore({ stateDir: t.dir(), durable: false });
    expect((await deleteSessions(other, [key])).map((d) => d.key)).toEqual([key]);
    await other.close();
  }

  it("is recorded in a recreated session (fresh sessionId, same route) and reported sent", async () => {
    const hub = await t.open();
    const inbound = processed(await hub.receive({ ...dm, messageId: "m1", text: "hi" }));
    await deleteElsewhere(DM_KEY);
    t.clock().advance(MINUTE);
    const r = await hub.reply(DM_KEY, { text: "hello Alice" });
    expect(r).toMatchObject({ sent: true, sessionRecreated: true, message: { role: "assistant", content: "hello Alice", parentId: null } });
    expect(r.message.meta).toEqual({ channel: "telegram" });
    const entry = await hub.session(DM_KEY);
    expect(entry?.sessionId).not.toBe(inbound.sessionId);
    expect(entry).toMatchObject({ lastChannel: "telegram", lastTo: "111", chatType: "direct", deliveryContext: { channel: "telegram", to: "111" }, updatedAt: t.clock().at });
    const lines = await transcriptMessages(t.dir(), entry?.sessionId as string);
    expect(lines.map((l) => [l.message?.role, l.message?.content])).toEqual([["assistant", "hello Alice"]]);
    // The next reply goes to the recreated session as usual.
    expect(await hub.reply(DM_KEY, { text: "again" })).not.toHaveProperty("sessionRecreated");
  });

  it("still obeys the send policy: a /send off override and config rules survive the deletion", async () => {
    const hub = await t.open({ config: denyDiscordGroups });
    await hub.receive({ ...discordGroup, messageId: "g1", text: "question" });
    await deleteElsewhere(GROUP_KEY);
    const denied = await hub.reply(GROUP_KEY, { text: "answer" });
    expect(denied).toMatchObject({ sent: false, sessionRecreated: true });
    expect(denied.message.meta).toMatchObject({ channel: "discord", suppressed: true });

    await hub.receive({ ...dm, messageId: "d1", text: "/send off" });
    await deleteElsewhere(DM_KEY);
    expect(await hub.reply(DM_KEY, { text: "shh" })).toMatchObject({ sent: false, sessionRecreated: true });
    expect((await hub.session(DM_KEY))?.sendPolicy).toBe("deny");
  });

  it("a reply for a session this hub never saw is still E_NOT_FOUND and creates nothing", async () => {
    const hub = await t.open();
    await expect(hub.reply("agent:main:telegram:dm:404", { text: "x" })).rejects.toMatchObject({ code: "E_NOT_FOUND" });
    expect(await hub.sessions()).toEqual([]);
  });
});
