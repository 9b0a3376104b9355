/**
 * `hub sessions` for large stores (issue 14 item 4): newest 100 by default, --limit / --all,
 * how many were not shown, --channel / --kind filters; a table within 80 columns that shows
 * whole keys and aligns wide (CJK, emoji) characters.
 */
import { describe, expect, it } from "vitest";
import { createHub } from "../../src/index.js";
import { displayWidth, truncateToWidth } from "../../src/cli/width.js";
import { MINUTE, NOW, hub, storeOf, useTempDir, writeJson } from "./helpers.js";

const tmp = useTempDir();

describe("displayWidth", () => {
  it.each([
    ["abc", 3],
    ["Família São Paulo", 17],
    ["家族", 4],
    ["グループ", 8],
    ["🏡", 2],
    ["👨‍👩‍👧", 2],
    ["🇧🇷", 2],
    ["e\u0301", 1],
    ["✓", 1],
    ["한국어", 6],
    // East Asian Wide beyond the common blocks (the hand-written table had them as 1).
    ["\u2329x\u232a", 5],
    ["\ufe10", 2],
    ["\u{1b000}", 2],
    ["\ua960", 2],
    ["\u{16fe0}", 2],
  ])("%j → %i", (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });

  it("truncateToWidth never splits a wide character and ends in …", () => {
    expect(truncateToWidth("家族グループ", 6)).toBe("家族…");
    expect(truncateToWidth("家族グループ", 12)).toBe("家族グループ");
    expect(truncateToWidth("abcdef", 4)).toBe("abc…");
  });
});

/** `n` dm sessions, newest first: agent:main:telegram:dm:<i>, i minutes old. */
async function seedMany(n: number): Promise<void> {
  const entries: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) entries[`agent:main:telegram:dm:${i}`] = { sessionId: `s-${i}`, updatedAt: NOW - i * MINUTE, channel: "telegram", chatType: "direct" };
  await writeJson(storeOf(tmp()), entries);
}

describe("how many rows", () => {
  it("lists the newest 100 by default and says how many were not shown", async () => {
    await seedMany(105);
    const lines = (await hub(["sessions", "--state-dir", tmp()])).stdout.split("\n");
    expect(lines[1]).toBe("Sessions listed: 100 of 105");
    expect(lines.filter((l) => l.startsWith("agent:main:telegram:dm:"))).toHaveLength(100);
    expect(lines.at(-2)).toBe("5 more not shown (newest 100 listed): --limit N or --all");
    expect(lines).not.toContain("agent:main:telegram:dm:100");
  });

  it("--limit N and --all; --json says total and limit", async () => {
    await seedMany(105);
    const limited = (await hub(["sessions", "--limit", "3", "--state-dir", tmp()])).stdout;
    expect(limited.split("\n").filter((l) => l.startsWith("agent:"))).toEqual(["agent:main:telegram:dm:0", "agent:main:telegram:dm:1", "agent:main:telegram:dm:2"].map((k) => expect.stringMatching(new RegExp(`^${k} `, "u"))));
    expect(limited).toContain("102 more not shown (newest 3 listed): --limit N or --all\n");
    const all = (await hub(["sessions", "--all", "--state-dir", tmp()])).stdout;
    expect(all).toContain("Sessions listed: 105\n");
    expect(all).not.toContain("not shown");
    const json = JSON.parse((await hub(["sessions", "--json", "--limit", "2", "--state-dir", tmp()])).stdout) as { count: number; total: number; limit: number; sessions: unknown[] };
    expect(json).toMatchObject({ count: 2, total: 105, limit: 2 });
    expect(json.sessions).toHaveLength(2);
    expect(JSON.parse((await hub(["sessions", "--json", "--all", "--state-dir", tmp()])).stdout)).toMatchObject({ count: 105, total: 105, limit: null });
  });

  it("--limit with --all, or a bad --limit, is a usage error", async () => {
    await seedMany(1);
    expect((await hub(["sessions", "--limit", "2", "--all", "--state-dir", tmp()])).stderr.split("\n")[0]).toBe("hub sessions: --limit and --all exclude each other");
    expect((await hub(["sessions", "--limit", "0", "--state-dir", tmp()])).stderr.split("\n")[0]).toBe('hub sessions: --limit must be a positive integer, got "0"');
  });

  it("--channel and --kind filter before the limit", async () => {
    await writeJson(storeOf(tmp()), {
      "agent:main:telegram:dm:1": { sessionId: "a", updatedAt: NOW, channel: "telegram", chatType: "direct" },
      "agent:main:slack:channel:c1": { sessionId: "b", updatedAt: NOW - 1, channel: "slack", chatType: "channel" },
      "agent:main:telegram:group:g1": { sessionId: "c", updatedAt: NOW - 2, channel: "telegram", chatType: "group" },
    });
    const keys = async (...args: string[]) => ((JSON.parse((await hub(["sessions", "--json", ...args, "--state-dir", tmp()])).stdout) as { sessions: Array<{ key: string }> }).sessions.map((s) => s.key));
    expect(await keys("--channel", "telegram")).toEqual(["agent:main:telegram:dm:1", "agent:main:telegram:group:g1"]);
    expect(await keys("--kind", "group")).toEqual(["agent:main:telegram:group:g1"]);
    expect(await keys("--channel", "telegram", "--limit", "1")).toEqual(["agent:main:telegram:dm:1"]);
  });
});

describe("the table at 80 columns", () => {
  it("one line per session when the keys fit; wide characters aligned; the name cut to the width", async () => {
    await writeJson(storeOf(tmp()), {
      "agent:main:telegram:group:家族": { sessionId: "a", updatedAt: NOW - 5 * MINUTE, displayName: "家族グループ 🏡 and a name far too long for what is left of the line" },
      "agent:main:telegram:dm:111": { sessionId: "b", updatedAt: NOW - 6 * MINUTE, displayName: "Família São Paulo", model: "模型", totalTokens: 5 },
    });
    const r = await hub(["sessions", "--state-dir", tmp()]);
    expect(r.stdout.split("\n").slice(2)).toEqual([
      "KEY                             KIND    AGE     MODEL  TOKENS  NAME",
      "agent:main:telegram:group:家族  group   5m ago  -      -       家族グループ 🏡 …",
      "agent:main:telegram:dm:111      direct  6m ago  模型   5       Família São Paulo",
      "",
    ]);
    for (const line of r.stdout.split("\n").slice(2)) expect(displayWidth(line)).toBeLessThanOrEqual(80);
  });

  it("keys too long for one line get their own line, whole; no line but a key exceeds 80 columns", async () => {
    const long = `agent:main:slack:channel:c0engineering:thread:${"1732000000.000100".repeat(3)}`;
    await writeJson(storeOf(tmp()), {
      [long]: { sessionId: "a", updatedAt: NOW, displayName: "slack:#engineering-and-everything-else-that-happens-here", model: "a-very-long-model-name-indeed-2026-11-20" },
      "agent:main:main": { sessionId: "b", updatedAt: NOW - MINUTE },
    });
    const lines = (await hub(["sessions", "--state-dir", tmp()])).stdout.split("\n");
    expect(lines).toContain(long);
    expect(lines[lines.indexOf(long) + 1]).toMatch(/^ {2}\S+ +just now +a-very-long-model-n… +- +slack:#engineering/u);
    for (const line of lines.slice(2)) if (line !== long) expect(displayWidth(line)).toBeLessThanOrEqual(80);
  });
});

describe("a non-ASCII group label", () => {
  it("keeps letters of any script from the group's subject, and the key stays whole", async () => {
    const gateway = await createHub({ stateDir: tmp(), now: () => NOW - MINUTE, durable: false });
    await gateway.receive({ channel: "whatsapp", chatType: "group", peerId: "120363@g.us", senderId: "1", groupSubject: "Família São Paulo", text: "oi" });
    await gateway.receive({ channel: "telegram", chatType: "group", peerId: "-100777", senderId: "2", groupSubject: "家族 🏡", text: "やあ" });
    await gateway.close();
    const r = await hub(["sessions", "--state-dir", tmp()]);
    // The names would get 10 columns beside the keys: each key gets its own line instead.
    expect(r.stdout.split("\n").slice(2)).toEqual([
      "KEY",
      "  KIND   AGE     MODEL  TOKENS  NAME",
      "agent:main:telegram:group:-100777",
      "  group  1m ago  -      -       telegram:g-家族",
      "agent:main:whatsapp:group:120363@g.us",
      "  group  1m ago  -      -       whatsapp:g-família-são-paulo",
      "",
    ]);
  });
});

describe("--all-agents", () => {
  it("lists the stores of every agent under the state dir together, newest first", async () => {
    await writeJson(storeOf(tmp(), "main"), { "agent:main:main": { sessionId: "a", updatedAt: NOW - 2 * MINUTE } });
    await writeJson(storeOf(tmp(), "work"), {
      "agent:work:main": { sessionId: "b", updatedAt: NOW - MINUTE },
      "cron:nightly": { sessionId: "c", updatedAt: NOW - 3 * MINUTE },
    });
    const r = await hub(["sessions", "--all-agents", "--json", "--state-dir", tmp()]);
    expect(r.code).toBe(0);
    const payload = JSON.parse(r.stdout) as { stores: string[]; count: number; sessions: Array<{ key: string; agentId: string }> };
    expect(payload.stores).toEqual([storeOf(tmp(), "main"), storeOf(tmp(), "work")]);
    expect(payload.sessions.map((s) => [s.agentId, s.key])).toEqual([
      ["work", "agent:work:main"],
      ["main", "agent:main:main"],
      ["work", "cron:nightly"],
    ]);
    const table = (await hub(["sessions", "--all-agents", "--state-dir", tmp()])).stdout;
    expect(table.split("\n").slice(0, 2)).toEqual([`Session stores: 2 (agents main, work) under ${tmp()}/agents`, "Sessions listed: 3"]);
  });

  it("with --store or --agent it is a usage error; with no agent store it says so", async () => {
    expect((await hub(["sessions", "--all-agents", "--agent", "work", "--state-dir", tmp()])).stderr.split("\n")[0]).toBe("hub sessions: --all-agents lists every agent's store: it cannot be combined with --store or --agent");
    expect((await hub(["sessions", "--all-agents", "--store", "x.json"])).code).toBe(1);
    expect(await hub(["sessions", "--all-agents", "--state-dir", tmp()])).toEqual({ code: 2, stdout: "", stderr: `hub sessions: no session store under ${tmp()}/agents [E_NOT_FOUND]\n` });
  });
});

describe("an entry without updatedAt (openclaw keeps such entries)", () => {
  it("shows its age as unknown, not as decades ago", async () => {
    await writeJson(storeOf(tmp()), { "agent:main:imessage:direct:+17189153805": { sessionId: "imessage:direct:+17189153805" } });
    const { stdout } = await hub(["sessions", "--state-dir", tmp()]);
    expect(stdout).toMatch(/direct\s+unknown\s/u);
    expect(stdout).not.toMatch(/d ago/u);
  });
});
