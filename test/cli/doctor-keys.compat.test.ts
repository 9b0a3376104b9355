/**
 * `hub doctor --fix` fixes the legacy keys it reports (newest entry wins, as openclaw's doctor
 * does) or says it cannot. openclaw's cases from src/commands/doctor-state-migrations.test.ts
 * (moltbot/moltbot, same file): "canonicalizes legacy main keys inside the target sessions
 * store", "prefers the newest entry when collapsing main aliases", "lowercases agent session
 * keys during canonicalization", "auto-migrates when only target sessions contain legacy
 * keys", and the in-store keys of "migrates legacy sessions into agents/<id>/sessions".
 * Matrix keys keep their case (our documented difference), so a lower-cased Matrix key moves
 * to the mixed-case room only with delivery-target proof.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hub, storeOf, useTempDir, writeJson } from "./helpers.js";

const tmp = useTempDir("hub-doctor-keys-");

interface Finding {
  kind: string;
  subject: string;
  fixed?: string;
  message: string;
}

async function doctor(args: string[] = []): Promise<{ code: number; findings: Finding[] }> {
  const r = await hub(["doctor", "--json", ...args, "--state-dir", tmp()]);
  return { code: r.code, findings: (JSON.parse(r.stdout) as { findings: Finding[] }).findings };
}

const legacy = (findings: Finding[]) => findings.filter((f) => f.kind === "legacy-key");
const stored = async () => JSON.parse(await fs.readFile(storeOf(tmp()), "utf8")) as Record<string, { sessionId: string; updatedAt: number }>;
const ids = async () => Object.fromEntries(Object.entries(await stored()).map(([key, entry]) => [key, entry.sessionId]));

describe("hub doctor --fix: legacy keys", () => {
  it("canonicalizes legacy main keys inside the target sessions store (the newer entry wins)", async () => {
    await writeJson(storeOf(tmp()), { main: { sessionId: "legacy", updatedAt: 10 }, "agent:main:main": { sessionId: "fresh", updatedAt: 20 } });
    expect(legacy((await doctor()).findings).map((f) => f.subject)).toEqual(["main"]);
    const fixed = await doctor(["--fix"]);
    expect(fixed.code).toBe(0);
    expect(legacy(fixed.findings)[0]?.fixed).toBe("migrated to agent:main:main (the newer of the two entries kept: agent:main:main)");
    expect(await ids()).toEqual({ "agent:main:main": "fresh" });
    expect(legacy((await doctor()).findings)).toEqual([]);
  });

  it("auto-migrates when only target sessions contain legacy keys", async () => {
    await writeJson(storeOf(tmp()), { main: { sessionId: "legacy", updatedAt: 10 } });
    expect(legacy((await doctor(["--fix"])).findings)[0]?.fixed).toBe("migrated to agent:main:main");
    expect(await ids()).toEqual({ "agent:main:main": "legacy" });
  });

  it("lowercases agent session keys during canonicalization", async () => {
    await writeJson(storeOf(tmp()), { "agent:main:slack:channel:C123": { sessionId: "legacy", updatedAt: 10 } });
    await doctor(["--fix"]);
    expect(await ids()).toEqual({ "agent:main:slack:channel:c123": "legacy" });
  });

  it("moves the in-store keys of a flat clawdbot store (slack:channel:C123, subagent:xyz)", async () => {
    await writeJson(storeOf(tmp()), {
      "slack:channel:C123": { sessionId: "c", updatedAt: 30 },
      "subagent:xyz": { sessionId: "e", updatedAt: 50 },
    });
    await doctor(["--fix"]);
    expect(await ids()).toEqual({ "agent:main:slack:channel:c123": "c", "agent:main:subagent:xyz": "e" });
  });

  it("with mainKey work: prefers the newest entry when collapsing main aliases; agent:ops:main → agent:ops:work", async () => {
    await fs.writeFile(path.join(tmp(), "hub.json5"), '{ session: { mainKey: "work" } }');
    await writeJson(storeOf(tmp()), {
      "agent:main:main": { sessionId: "legacy", updatedAt: 50 },
      "agent:main:work": { sessionId: "canonical", updatedAt: 10 },
      "agent:ops:main": { sessionId: "ops", updatedAt: 5 },
    });
    expect(legacy((await doctor()).findings).map((f) => f.subject).sort()).toEqual(["agent:main:main", "agent:ops:main"]);
    const fixed = await doctor(["--fix"]);
    expect(legacy(fixed.findings).map((f) => f.fixed).sort()).toEqual([
      "migrated to agent:main:work (the newer of the two entries kept: agent:main:main)",
      "migrated to agent:ops:work",
    ]);
    expect(await ids()).toEqual({ "agent:main:work": "legacy", "agent:ops:work": "ops" });
  });

  it("three spellings of one session: one write, the newest wins, each finding says so", async () => {
    await writeJson(storeOf(tmp()), {
      "agent:main:telegram:direct:5550001": { sessionId: "a", updatedAt: 10 },
      "agent:main:Telegram:DM:5550001": { sessionId: "b", updatedAt: 30 },
      "agent:main:telegram:dm:5550001": { sessionId: "c", updatedAt: 20 },
    });
    const fixed = await doctor(["--fix"]);
    expect(legacy(fixed.findings).map((f) => f.fixed)).toEqual([
      "migrated to agent:main:telegram:dm:5550001 (the newest of the 3 entries kept: agent:main:Telegram:DM:5550001)",
      "migrated to agent:main:telegram:dm:5550001 (the newest of the 3 entries kept: agent:main:Telegram:DM:5550001)",
    ]);
    expect(await ids()).toEqual({ "agent:main:telegram:dm:5550001": "b" });
  });
});

describe("hub doctor --fix: Matrix rooms that differ in case stay apart", () => {
  const MIXED = "agent:main:matrix:channel:!MixedRoomAbCdEf%3Aexample.org";
  const LOWER_RAW = "agent:main:matrix:channel:!mixedroomabcdef:example.org";
  const LOWER = "agent:main:matrix:channel:!mixedroomabcdef%3Aexample.org";

  it("a lower-case room with its own delivery target moves to its own encoded key, not onto the mixed-case room", async () => {
    await writeJson(storeOf(tmp()), {
      [MIXED]: { sessionId: "mixed", updatedAt: 100, deliveryContext: { channel: "matrix", to: "!MixedRoomAbCdEf:example.org" } },
      [LOWER_RAW]: { sessionId: "lower", updatedAt: 999, deliveryContext: { channel: "matrix", to: "room:!mixedroomabcdef:example.org" } },
    });
    const fixed = await doctor(["--fix"]);
    expect(legacy(fixed.findings).map((f) => [f.subject, f.fixed])).toEqual([[LOWER_RAW, `migrated to ${LOWER}`]]);
    expect(await ids()).toEqual({ [MIXED]: "mixed", [LOWER]: "lower" });
  });

  it("a key clawdbot lower-cased whose delivery target is the mixed-case room moves to that room", async () => {
    await writeJson(storeOf(tmp()), {
      [LOWER_RAW]: { sessionId: "artifact", updatedAt: 50, deliveryContext: { channel: "matrix", to: "room:!MixedRoomAbCdEf:example.org" } },
    });
    expect(legacy((await doctor(["--fix"])).findings).map((f) => f.fixed)).toEqual([`migrated to ${MIXED}`]);
    expect(await ids()).toEqual({ [MIXED]: "artifact" });
  });
});

describe("hub doctor: moving from clawdbot/openclaw", () => {
  const clawdbotStore = {
    "agent:main:main": { sessionId: "dm-history", updatedAt: 10, lastChannel: "telegram", lastTo: "111", deliveryContext: { channel: "telegram", to: "111" } },
    "agent:main:whatsapp:group:123@g.us": { sessionId: "family", updatedAt: 5 },
  };

  it("says that DMs live in the main session and which setting continues it; changes nothing", async () => {
    await writeJson(storeOf(tmp()), clawdbotStore);
    const before = await fs.readFile(storeOf(tmp()), "utf8");
    const r = await hub(["doctor", "--state-dir", tmp()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '· dm-scope: agent:main:main\n    direct chats (last: telegram) live in the main session, as with clawdbot\'s dmScope "main"; with dmScope "per-channel-peer" the next DM starts a new session: set session.dmScope: "main" to continue this one\n',
    );
    expect(await fs.readFile(storeOf(tmp()), "utf8")).toBe(before);
  });

  it("is quiet once session.dmScope is \"main\" (and under scope global)", async () => {
    await writeJson(storeOf(tmp()), clawdbotStore);
    await fs.writeFile(path.join(tmp(), "hub.json5"), '{ session: { dmScope: "main" } }');
    expect((await doctor()).findings.map((f) => f.kind)).toEqual([]);
  });

  it("with scope global the main session is an alias of global (clawdbot's canonicalizeMainSessionAlias)", async () => {
    await writeJson(storeOf(tmp()), { "agent:main:main": { sessionId: "m", updatedAt: 10 } });
    await fs.writeFile(path.join(tmp(), "hub.json5"), '{ session: { scope: "global" } }');
    expect(legacy((await doctor(["--fix"])).findings).map((f) => f.fixed)).toEqual(["migrated to global"]);
    expect(await ids()).toEqual({ global: "m" });
  });
});
