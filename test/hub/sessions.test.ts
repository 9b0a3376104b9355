/**
 * Managing sessions through the hub: listing with filters, ending, deleting (the transcript is
 * archived), pruning with the config's maintenance settings, and the gateway registry.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DAY_MS, HOUR, MINUTE, exists, processed, readStoreFile, sessionsDir, useHub } from "./helpers.js";

const t = useHub();

const dm = { channel: "telegram", chatType: "direct", peerId: "111", text: "hi" } as const;
const DM_KEY = "agent:main:telegram:dm:111";

describe("endSession", () => {
  it("marks the session ended; the next message starts a new one linked to the old", async () => {
    const hub = await t.open({ config: { session: { reset: { mode: "never" } } } });
    const first = processed(await hub.receive(dm));
    t.clock().advance(MINUTE);
    expect(await hub.endSession(DM_KEY)).toBe(true);
    expect((await hub.session(DM_KEY))?.endedAt).toBe(t.clock().at);
    // Ending is not activity.
    expect((await hub.session(DM_KEY))?.updatedAt).toBe(first.entry.updatedAt);
    const next = processed(await hub.receive({ ...dm, text: "hello again" }));
    expect(next).toMatchObject({ isNewSession: true, resetReason: "new" });
    expect(next.sessionId).not.toBe(first.sessionId);
    expect(next.entry.previousSessionIds).toEqual([first.sessionId]);
    expect(next.entry).not.toHaveProperty("endedAt");
  });

  it("is false for an unknown session and creates nothing", async () => {
    const hub = await t.open();
    await hub.receive(dm);
    expect(await hub.endSession("agent:main:telegram:dm:404")).toBe(false);
    expect(Object.keys(await readStoreFile(t.dir()))).toEqual([DM_KEY]);
  });
});

describe("deleteSession", () => {
  it("removes the entry and archives its transcripts (also those of earlier session ids)", async () => {
    const hub = await t.open();
    const first = processed(await hub.receive(dm));
    const second = processed(await hub.receive({ ...dm, text: "/new again" }));
    const dir = sessionsDir(t.dir());
    expect(await hub.deleteSession(DM_KEY)).toBe(true);
    expect(await hub.session(DM_KEY)).toBeUndefined();
    expect(await readStoreFile(t.dir())).toEqual({});
    const names = await fs.readdir(dir);
    for (const id of [first.sessionId, second.sessionId]) {
      expect(await exists(path.join(dir, `${id}.jsonl`))).toBe(false);
      expect(names.filter((n) => n.startsWith(`${id}.jsonl.deleted.`))).toHaveLength(1);
    }
    expect(await hub.deleteSession(DM_KEY)).toBe(false);
    // The next message starts afresh.
    const next = processed(await hub.receive({ ...dm, text: "back" }));
    expect(next).toMatchObject({ isNewSession: true, resetReason: "new" });
    expect(next.entry).not.toHaveProperty("previousSessionIds");
  });
});

describe("sessions(query)", () => {
  async function seed() {
    const hub = await t.open();
    await hub.receive({ channel: "telegram", chatType: "direct", peerId: "1", text: "a" }); // oldest
    t.clock().advance(30 * MINUTE);
    await hub.receive({ channel: "whatsapp", from: "120363012345@g.us", text: "b" });
    t.clock().advance(30 * MINUTE);
    await hub.receive({ channel: "telegram", chatType: "group", peerId: "-100", text: "c" });
    t.clock().advance(30 * MINUTE);
    await hub.receive({ channel: "telegram", chatType: "direct", peerId: "2", text: "d" }); // newest
    return hub;
  }

  it("lists every session newest first", async () => {
    const hub = await seed();
    expect((await hub.sessions()).map((s) => s.key)).toEqual([
      "agent:main:telegram:dm:2",
      "agent:main:telegram:group:-100",
      "agent:main:whatsapp:group:120363012345@g.us",
      "agent:main:telegram:dm:1",
    ]);
  });

  it("filters by channel, chat type and activity, and limits", async () => {
    const hub = await seed();
    const keys = async (query: Parameters<typeof hub.sessions>[0]) => (await hub.sessions(query)).map((s) => s.key);
    expect(await keys({ channel: "telegram" })).toEqual(["agent:main:telegram:dm:2", "agent:main:telegram:group:-100", "agent:main:telegram:dm:1"]);
    expect(await keys({ chatType: "group" })).toEqual(["agent:main:telegram:group:-100", "agent:main:whatsapp:group:120363012345@g.us"]);
    expect(await keys({ channel: "telegram", chatType: "direct" })).toEqual(["agent:main:telegram:dm:2", "agent:main:telegram:dm:1"]);
    // "dm" is "direct", as in receive
    expect(await keys({ chatType: "dm" })).toEqual(["agent:main:telegram:dm:2", "agent:main:telegram:dm:1"]);
    expect(await keys({ activeWithinMinutes: 60 })).toEqual(["agent:main:telegram:dm:2", "agent:main:telegram:group:-100", "agent:main:whatsapp:group:120363012345@g.us"]);
    expect(await keys({ activeWithinMinutes: 59 })).toEqual(["agent:main:telegram:dm:2", "agent:main:telegram:group:-100"]);
    expect(await keys({ limit: 1 })).toEqual(["agent:main:telegram:dm:2"]);
    expect(await keys({ channel: "telegram", limit: 2 })).toEqual(["agent:main:telegram:dm:2", "agent:main:telegram:group:-100"]);
    expect(await keys({ channel: "signal" })).toEqual([]);
  });

  it("matches the channel the way keys spell it (case, aliases)", async () => {
    const hub = await seed();
    expect((await hub.sessions({ channel: " Telegram " })).map((s) => s.key)).toHaveLength(3);
  });

  it.each([
    [{ limit: -1 }, "query.limit must be a positive integer, got -1"],
    [{ limit: 1.5 }, "query.limit must be a positive integer, got 1.5"],
    [{ activeWithinMinutes: "5" }, 'query.activeWithinMinutes must be a number > 0, got "5"'],
    [{ activeWithinMinutes: 0 }, "query.activeWithinMinutes must be a number > 0, got 0"],
    [{ chatType: "private" }, 'query.chatType must be "direct" (or "dm"), "group" or "channel", got "private"'],
    [{ channel: 1 }, "query.channel must be a string, got 1"],
  ])("rejects %j with E_INVALID_ARGUMENT", async (query, message) => {
    const hub = await t.open();
    await expect(hub.sessions(query as never)).rejects.toMatchObject({ code: "E_INVALID_ARGUMENT", message });
  });

  it("returns copies: changing a returned entry changes nothing stored", async () => {
    const hub = await seed();
    const [first] = await hub.sessions({ limit: 1 });
    if (first === undefined) throw new Error("no session");
    first.entry.sessionId = "changed";
    expect((await hub.session(first.key))?.sessionId).not.toBe("changed");
  });
});

describe("prune", () => {
  it("uses session.maintenance from the config and never removes the main session", async () => {
    const hub = await t.open({ config: { session: { maintenance: { pruneAfter: "1d" } } } });
    const old = processed(await hub.receive(dm));
    await hub.store.update("agent:main:main", { updatedAt: t.clock().at });
    t.clock().advance(2 * DAY_MS);
    await hub.receive({ channel: "telegram", chatType: "direct", peerId: "222", text: "recent" });
    const dry = await hub.prune({ dryRun: true });
    expect(dry.removed.map((r) => r.key)).toEqual([DM_KEY]);
    expect(await hub.session(DM_KEY)).toBeDefined();
    const report = await hub.prune();
    expect(report).toMatchObject({ dryRun: false, kept: 2 });
    expect(report.removed).toEqual([{ key: DM_KEY, sessionId: old.sessionId, reason: "stale", archived: [expect.stringContaining(`${old.sessionId}.jsonl.deleted.`)] }]);
    expect(Object.keys(await readStoreFile(t.dir())).sort()).toEqual(["agent:main:main", "agent:main:telegram:dm:222"]);
  });
});

describe("gateways", () => {
  const whatsapp = { gatewayId: "wa-main", name: "WhatsApp +1 555 010 2030", type: "whatsapp", config: { phone: "+15550102030" } };
  const telegram = { gatewayId: "tg-bot", name: "Telegram bot", type: "telegram" };

  it("registers idempotently: one record, registeredAt kept, updatedAt and fields refreshed", async () => {
    const hub = await t.open();
    const first = await hub.registerGateway(whatsapp);
    expect(first).toEqual({ ...whatsapp, active: true, registeredAt: t.clock().at, updatedAt: t.clock().at });
    t.clock().advance(HOUR);
    const again = await hub.registerGateway({ ...whatsapp, name: "WhatsApp main" });
    expect(again).toMatchObject({ name: "WhatsApp main", registeredAt: first.registeredAt, updatedAt: t.clock().at, active: true });
    expect(await hub.listGateways()).toEqual([again]);
  });

  it("removes (deactivates) and lists with activeOnly; removing twice or an unknown id is false", async () => {
    const hub = await t.open();
    await hub.registerGateway(telegram);
    t.clock().advance(MINUTE);
    await hub.registerGateway(whatsapp);
    t.clock().advance(MINUTE);
    expect(await hub.removeGateway("tg-bot")).toBe(true);
    expect(await hub.removeGateway("tg-bot")).toBe(false);
    expect(await hub.removeGateway("nope")).toBe(false);
    expect((await hub.listGateways({ activeOnly: true })).map((g) => g.gatewayId)).toEqual(["wa-main"]);
    const all = await hub.listGateways();
    expect(all.map((g) => [g.gatewayId, g.active])).toEqual([
      ["tg-bot", false],
      ["wa-main", true],
    ]);
    expect(all[0]?.removedAt).toBe(t.clock().at);
    // Registering again reactivates it.
    await hub.registerGateway(telegram);
    expect((await hub.listGateways({ activeOnly: true })).map((g) => g.gatewayId)).toEqual(["tg-bot", "wa-main"]);
  });

  it("persist in the state dir across createHub instances", async () => {
    const hub = await t.open();
    await hub.registerGateway(whatsapp);
    await hub.close();
    const later = await t.open();
    expect((await later.listGateways()).map((g) => g.gatewayId)).toEqual(["wa-main"]);
    expect(await exists(path.join(t.dir(), "gateways.json"))).toBe(true);
  });

  it("rejects a gateway without an id, name or type with E_INVALID_ARGUMENT", async () => {
    const hub = await t.open();
    await expect(hub.registerGateway({ gatewayId: " ", name: "x", type: "telegram" })).rejects.toMatchObject({
      code: "E_INVALID_ARGUMENT",
      message: 'gateway gatewayId must be a non-empty string, got " "',
    });
    await expect(hub.registerGateway({ gatewayId: "a", name: "x" } as never)).rejects.toMatchObject({ code: "E_INVALID_ARGUMENT" });
    expect(await hub.listGateways()).toEqual([]);
  });

  it("a typed gateway config comes back as it was stored", async () => {
    const hub = await t.open();
    await hub.registerGateway({ gatewayId: "x", name: "X", type: "slack", config: { nested: { list: [1, 2] }, token: "t" } });
    expect((await hub.listGateways())[0]?.config).toEqual({ nested: { list: [1, 2] }, token: "t" });
  });
});
