/**
 * receive() and clawdbot stores: two Matrix rooms that differ only in case stay two sessions;
 * a room key clawdbot lower-cased continues when its delivery target proves the room
 * (openclaw/openclaw src/sessions/session-key-case-preservation.test.ts); a store written
 * with mainKey "work" keeps its main session (moltbot src/commands/doctor-state-migrations.test.ts).
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { processed, readStoreFile, sessionsDir, useHub } from "./helpers.js";

const t = useHub("2026-11-20T09:00:00Z");

const MIXED = "agent:main:matrix:channel:!MixedRoomAbCdEf%3Aexample.org";
const LOWER = "agent:main:matrix:channel:!mixedroomabcdef:example.org";
const message = { channel: "matrix", chatType: "channel", peerId: "!MixedRoomAbCdEf:example.org", text: "hello" } as const;

async function seed(store: Record<string, unknown>): Promise<void> {
  await fs.mkdir(sessionsDir(t.dir()), { recursive: true });
  await fs.writeFile(path.join(sessionsDir(t.dir()), "sessions.json"), JSON.stringify(store, null, 2));
}

describe("receive on a clawdbot store with Matrix rooms", () => {
  it("a message in !MixedRoom does not take over the newer session of !mixedroom (another room)", async () => {
    const other = { sessionId: "other-room", updatedAt: Date.parse("2026-11-20T08:59:00Z"), deliveryContext: { channel: "matrix", to: "room:!mixedroomabcdef:example.org" } };
    await seed({ [LOWER]: other });
    const hub = await t.open({ config: { session: { reset: { mode: "never" } } } });
    const r = processed(await hub.receive(message));
    expect(r.sessionKey).toBe(MIXED);
    expect(r.sessionId).not.toBe("other-room");
    const stored = await readStoreFile(t.dir());
    expect(stored[LOWER]).toEqual(other);
  });

  it("a key clawdbot lower-cased that delivers to !MixedRoom continues as that room's session", async () => {
    await seed({ [LOWER]: { sessionId: "same-room", updatedAt: Date.parse("2026-11-20T08:59:00Z"), lastTo: "room:!MixedRoomAbCdEf:example.org" } });
    const hub = await t.open({ config: { session: { reset: { mode: "never" } } } });
    const r = processed(await hub.receive(message));
    expect(r.sessionId).toBe("same-room");
    expect(Object.keys(await readStoreFile(t.dir()))).toEqual([MIXED]);
  });

  it("with caseSensitiveChannels: [] the config decides: ids are lower-cased and the spellings merge", async () => {
    await seed({ [LOWER]: { sessionId: "folded", updatedAt: Date.parse("2026-11-20T08:59:00Z") } });
    const hub = await t.open({ config: { session: { reset: { mode: "never" }, caseSensitiveChannels: [] } } });
    const r = processed(await hub.receive(message));
    expect(r.sessionKey).toBe("agent:main:matrix:channel:!mixedroomabcdef%3Aexample.org");
    expect(r.sessionId).toBe("folded");
  });
});

describe("receive with mainKey work on a store that has agent:main:main", () => {
  it("continues the main session (agent:main:main is an alias of agent:main:work)", async () => {
    await seed({ "agent:main:main": { sessionId: "dm-history", updatedAt: Date.parse("2026-11-20T08:59:00Z") } });
    const hub = await t.open({ config: { session: { reset: { mode: "never" }, dmScope: "main", mainKey: "work" } } });
    const r = processed(await hub.receive({ channel: "telegram", chatType: "direct", peerId: "111", text: "hi" }));
    expect(r.sessionKey).toBe("agent:main:work");
    expect(r.sessionId).toBe("dm-history");
    expect(Object.keys(await readStoreFile(t.dir()))).toEqual(["agent:main:work"]);
  });
});

describe("receive on clawdbot's single-agent store (bare main key)", () => {
  it("continues the session stored under main (openclaw's 'auto-migrates when only target sessions contain legacy keys')", async () => {
    await seed({ main: { sessionId: "legacy", updatedAt: Date.parse("2026-11-20T08:59:00Z") } });
    const hub = await t.open({ config: { session: { reset: { mode: "never" }, dmScope: "main" } } });
    const r = processed(await hub.receive({ channel: "whatsapp", from: "whatsapp:+15551234567", text: "hi" }));
    expect(r.sessionKey).toBe("agent:main:main");
    expect(r.sessionId).toBe("legacy");
    expect(Object.keys(await readStoreFile(t.dir()))).toEqual(["agent:main:main"]);
  });
});
