/**
 * Origin metadata as clawdbot records it. Sources (their inputs, their expected outputs):
 * - moltbot/moltbot src/channels/conversation-label.test.ts (and openclaw/openclaw, same cases)
 * - moltbot/moltbot src/config/sessions/metadata.test.ts ("captures origin + group metadata")
 * - moltbot/moltbot src/config/sessions.test.ts ("updateLastRoute records origin + group
 *   metadata when ctx is provided": origin.chatType "group")
 */
import { describe, expect, it } from "vitest";
import { routePatch, type TurnRoute } from "../../src/hub/turn.js";
import { processed, readStoreFile, useHub } from "./helpers.js";

const t = useHub("2026-11-20T09:00:00Z");

const originOf = (route: TurnRoute) => routePatch(route).origin as Record<string, unknown>;

describe("origin.label (resolveConversationLabel)", () => {
  it("uses SenderName for direct chats when available", () => {
    expect(originOf({ channel: "telegram", chatType: "direct", to: "99", from: "telegram:99", senderName: "Ada" }).label).toBe("Ada");
  });

  it("derives Telegram-like group labels with numeric id suffix", () => {
    expect(originOf({ channel: "telegram", chatType: "group", to: "42", from: "telegram:group:42", groupSubject: "Ops" }).label).toBe("Ops id:42");
  });

  it("does not append ids for #rooms/channels", () => {
    expect(originOf({ channel: "slack", chatType: "channel", to: "C123", from: "slack:channel:C123", groupSubject: "#general" }).label).toBe("#general");
  });

  it("appends ids for WhatsApp-like group ids when a subject exists", () => {
    expect(originOf({ channel: "whatsapp", chatType: "group", to: "123@g.us", from: "whatsapp:group:123@g.us", groupSubject: "Family" }).label).toBe(
      "Family id:123@g.us",
    );
  });

  it.each([
    ["a non-numeric id", { to: "C123", groupSubject: "Ops" }, "Ops"],
    ["a subject that already carries the id", { to: "42", groupSubject: "Ops 42" }, "Ops 42"],
    ["a subject that already says id:", { to: "42", groupSubject: "Ops id:7" }, "Ops id:7"],
    ["an @-name", { to: "42", groupSubject: "@ops" }, "@ops"],
    ["no subject: the id", { to: "42" }, "42"],
    ["a Telegram supergroup id (not all digits)", { to: "-1001234567890", groupSubject: "Ops" }, "Ops"],
  ])("no suffix for %s", (_why, fields, expected) => {
    expect(originOf({ channel: "telegram", chatType: "group", ...fields }).label).toBe(expected);
  });
});

describe("origin on receive (deriveSessionMetaPatch, updateLastRoute)", () => {
  it("captures origin + group metadata", async () => {
    const hub = await t.open();
    const r = processed(await hub.receive({ channel: "whatsapp", chatType: "group", groupSubject: "Family", from: "123@g.us", text: "hi" }));
    expect(r.sessionKey).toBe("agent:main:whatsapp:group:123@g.us");
    const stored = (await readStoreFile(t.dir()))[r.sessionKey];
    expect(stored?.origin).toMatchObject({ label: "Family id:123@g.us", provider: "whatsapp", chatType: "group" });
    expect(stored).toMatchObject({ subject: "Family", channel: "whatsapp", groupId: "123@g.us" });
  });

  it("records origin.chatType for direct chats too", async () => {
    const hub = await t.open();
    const r = processed(await hub.receive({ channel: "telegram", chatType: "direct", peerId: "99", senderName: "Ada", text: "hi" }));
    expect((await readStoreFile(t.dir()))[r.sessionKey]?.origin).toMatchObject({ label: "Ada", provider: "telegram", chatType: "direct" });
  });
});
