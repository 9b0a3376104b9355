/**
 * `hub sessions` (list, show, delete) through `main(argv, io)`.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DAY, FIXTURES_DIR, HOUR, MINUTE, NOW, exists, hub, snapshot, storeOf, useTempDir, writeJson, writeTranscript } from "./helpers.js";

const tmp = useTempDir();

const SLACK_THREAD = "agent:main:slack:channel:c0eng:thread:1732000000.000100";

/** Four sessions of known ages: 10 s, 5 min, 3 h, 2 days. */
const SEEDED = {
  "cron:nightly": { sessionId: "s-cron", updatedAt: NOW - 2 * DAY },
  "agent:main:whatsapp:group:123@g.us": { sessionId: "s-wa", updatedAt: NOW - 3 * HOUR, channel: "whatsapp", chatType: "group", subject: "Family", displayName: "whatsapp:g-family", label: "fam" },
  "agent:main:main": { sessionId: "s-main", updatedAt: NOW - 10_000, model: "claude-sonnet", modelProvider: "anthropic", totalTokens: 2000, contextTokens: 32000, inputTokens: 1200, outputTokens: 800, chatType: "direct", lastChannel: "telegram" },
  [SLACK_THREAD]: { sessionId: "s-slack", updatedAt: NOW - 5 * MINUTE, channel: "slack", chatType: "channel", displayName: "slack:#eng", modelOverride: "gpt-5", model: "gpt-4o", totalTokens: 123456 },
};

async function seed(): Promise<string> {
  await writeJson(storeOf(tmp()), SEEDED);
  return storeOf(tmp());
}

describe("hub sessions (list)", () => {
  // A key too long for one 80-column line with the other columns: every key gets its own line, whole.
  it("prints a table newest first within 80 columns: whole keys, kind, age, model, tokens, name", async () => {
    const store = await seed();
    const r = await hub(["sessions", "--state-dir", tmp()]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(
      [
        `Session store: ${store}`,
        "Sessions listed: 4",
        "KEY",
        "  KIND     AGE       MODEL          TOKENS         NAME",
        "agent:main:main",
        "  main     just now  claude-sonnet  2.0k/32k (6%)",
        SLACK_THREAD,
        "  channel  5m ago    gpt-5          123k           slack:#eng",
        "agent:main:whatsapp:group:123@g.us",
        "  group    3h ago    -              -              whatsapp:g-family",
        "cron:nightly",
        "  cron     2d ago    -              -",
        "",
      ].join("\n"),
    );
  });

  it("--json prints the documented shape, newest first", async () => {
    const store = await seed();
    const r = await hub(["sessions", "--json", "--state-dir", tmp()]);
    expect(r.code).toBe(0);
    const payload = JSON.parse(r.stdout) as { sessions: Array<Record<string, unknown>> };
    expect(payload).toMatchObject({ path: store, count: 4, activeMinutes: null });
    expect(payload.sessions.map((s) => s.key)).toEqual(["agent:main:main", SLACK_THREAD, "agent:main:whatsapp:group:123@g.us", "cron:nightly"]);
    expect(payload.sessions[0]).toEqual({
      key: "agent:main:main",
      kind: "main",
      sessionId: "s-main",
      updatedAt: NOW - 10_000,
      ageMs: 10_000,
      channel: "telegram",
      chatType: "direct",
      displayName: null,
      label: null,
      model: "claude-sonnet",
      provider: "anthropic",
      inputTokens: 1200,
      outputTokens: 800,
      totalTokens: 2000,
      contextTokens: 32000,
    });
    expect(payload.sessions[2]).toEqual({
      key: "agent:main:whatsapp:group:123@g.us",
      kind: "group",
      sessionId: "s-wa",
      updatedAt: NOW - 3 * HOUR,
      ageMs: 3 * HOUR,
      channel: "whatsapp",
      chatType: "group",
      displayName: "whatsapp:g-family",
      label: "fam",
      model: null,
      provider: null,
      inputTokens: null,
      outputTokens: null,
      totalTokens: null,
      contextTokens: null,
    });
    // The model override wins over the last model used.
    expect(payload.sessions[1]).toMatchObject({ model: "gpt-5", kind: "channel" });
  });

  // clawdbot src/commands/sessions.test.ts "renders a tabular view with token percentages": no
  // totalTokens, so input + output (1200 + 800) against a 32k context; 45 minutes old.
  it("the tokens column falls back to input + output with the share of the context", async () => {
    await writeJson(storeOf(tmp()), {
      "agent:main:telegram:dm:+15555550123": { sessionId: "abc123", updatedAt: NOW - 45 * MINUTE, inputTokens: 1200, outputTokens: 800, contextTokens: 32000, model: "pi:opus" },
      "agent:main:discord:group:demo": { sessionId: "xyz", updatedAt: NOW - 5 * MINUTE },
      "agent:main:telegram:dm:2": { sessionId: "s2", updatedAt: NOW - 6 * MINUTE, outputTokens: 640_000, contextTokens: 200_000 },
    });
    const lines = (await hub(["sessions", "--state-dir", tmp()])).stdout.split("\n");
    // Keys on their own lines (too long for one 80-column line); the details follow.
    const details = (key: string) => lines[lines.indexOf(key) + 1];
    expect(details("agent:main:telegram:dm:+15555550123")).toMatch(/ 45m ago +pi:opus +2\.0k\/32k \(6%\)$/u);
    expect(details("agent:main:discord:group:demo")).toMatch(/ 5m ago +- +-$/u);
    expect(details("agent:main:telegram:dm:2")).toMatch(/ 640k\/200k \(320%\)$/u);
  });

  // clawdbot src/commands/sessions.test.ts (an existing empty store): the header lines, then "No sessions found.".
  it("an empty list says so", async () => {
    await writeJson(storeOf(tmp()), {});
    const r = await hub(["sessions", "--state-dir", tmp()]);
    expect(r.stdout).toBe(`Session store: ${storeOf(tmp())}\nSessions listed: 0\nNo sessions found.\n`);
    expect((await hub(["sessions", "--active", "1", "--state-dir", tmp()])).stdout).toContain("No sessions found.\n");
  });

  it("--active <minutes> keeps sessions active within that many minutes", async () => {
    await seed();
    const json = JSON.parse((await hub(["sessions", "--json", "--active", "5", "--state-dir", tmp()])).stdout) as { count: number; activeMinutes: number; sessions: Array<{ key: string }> };
    expect(json).toMatchObject({ count: 2, activeMinutes: 5 });
    expect(json.sessions.map((s) => s.key)).toEqual(["agent:main:main", SLACK_THREAD]);
    const table = await hub(["sessions", "--active", "180", "--state-dir", tmp()]);
    expect(table.stdout).toContain("Sessions listed: 3 (active within 180m)\n");
    expect(table.stdout).not.toContain("cron:nightly");
  });

  it.each([["0"], ["x"], ["1.5"], ["-5"], [""], ["10m"]])("--active=%s is a usage error: exit 1 and a message on stderr", async (value) => {
    await seed();
    const r = await hub(["sessions", `--active=${value}`, "--state-dir", tmp()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")[0]).toBe(`hub sessions: --active must be a positive integer, got "${value}"`);
    expect(r.stderr).toContain("Usage:\n  hub sessions [--limit N | --all] [filters] [--json]");
  });

  it("--active without a value is a usage error", async () => {
    const r = await hub(["sessions", "--state-dir", tmp(), "--active"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^hub sessions: Option '--active <value>' argument missing/);
  });

  it("a missing store says so (exit 2), and nothing is created", async () => {
    const table = await hub(["sessions", "--state-dir", tmp()]);
    expect(table).toEqual({ code: 2, stdout: "", stderr: `hub sessions: no session store at ${storeOf(tmp())} [E_NOT_FOUND]\n` });
    const json = await hub(["sessions", "--json", "--state-dir", tmp()]);
    expect(json.code).toBe(2);
    expect(await fs.readdir(tmp())).toEqual([]);
    await writeJson(storeOf(tmp()), {});
    expect(JSON.parse((await hub(["sessions", "--json", "--state-dir", tmp()])).stdout)).toEqual({ path: storeOf(tmp()), count: 0, total: 0, limit: 100, activeMinutes: null, sessions: [] });
  });

  it("--agent picks that agent's store; HUB_STATE_DIR is the default state dir", async () => {
    const store = storeOf(tmp(), "work-bot");
    await writeJson(store, { "agent:work-bot:main": { sessionId: "w1", updatedAt: NOW } });
    const r = await hub(["sessions", "--json", "--agent", "Work Bot"], { env: { HUB_STATE_DIR: tmp() } });
    expect(JSON.parse(r.stdout)).toMatchObject({ path: store, count: 1, sessions: [{ key: "agent:work-bot:main", kind: "main" }] });
  });

  it("works on a clawdbot store passed with --store (legacy fields read as the new ones)", async () => {
    const store = path.join(tmp(), "clawdbot", "sessions.json");
    await fs.mkdir(path.dirname(store));
    await fs.copyFile(path.join(FIXTURES_DIR, "clawdbot-sessions.json"), store);
    const r = await hub(["sessions", "--json", "--store", store]);
    expect(r.code).toBe(0);
    const payload = JSON.parse(r.stdout) as { path: string; count: number; sessions: Array<Record<string, unknown>> };
    expect(payload.path).toBe(store);
    expect(payload.sessions.map((s) => s.key)).toEqual([
      "agent:main:main",
      "agent:main:whatsapp:group:123@g.us",
      "cron:nightly-digest",
      "agent:main:telegram:direct:5550001",
      "agent:main:discord:channel:998877",
      "group:legacy-team",
    ]);
    expect(payload.sessions.find((s) => s.key === "agent:main:discord:channel:998877")).toMatchObject({ channel: "discord", kind: "channel" });
    expect(payload.sessions[0]).toMatchObject({ model: "claude-sonnet", totalTokens: 2000, contextTokens: 32000 });
    const table = await hub(["sessions", "--store", store]);
    expect(table.stdout).toContain("Sessions listed: 6\n");
    expect(table.stdout).toMatch(/\ncron:nightly-digest\n  cron {5}\d+h ago/);
  });

  it("--store with a relative path and ~ resolve like the library does", async () => {
    await seed();
    const rel = path.relative(process.cwd(), storeOf(tmp()));
    const r = await hub(["sessions", "--json", "--store", rel]);
    expect(JSON.parse(r.stdout)).toMatchObject({ path: storeOf(tmp()), count: 4 });
  });

  it("an unknown subcommand is a usage error", async () => {
    const r = await hub(["sessions", "list", "--state-dir", tmp()]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe('hub sessions: unknown sessions subcommand "list"');
    expect((await hub(["sessions", "shwo", "k", "--state-dir", tmp()])).stderr.split("\n")[0]).toBe('hub sessions: unknown sessions subcommand "shwo" (did you mean "show"?)');
  });
});

describe("hub sessions show", () => {
  it("prints one entry; --json prints { key, entry }", async () => {
    await seed();
    const json = await hub(["sessions", "show", "agent:main:whatsapp:group:123@g.us", "--json", "--state-dir", tmp()]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ key: "agent:main:whatsapp:group:123@g.us", entry: SEEDED["agent:main:whatsapp:group:123@g.us"] });
    const text = await hub(["sessions", "show", "cron:nightly", "--state-dir", tmp()]);
    expect(text.stdout).toBe(['cron:nightly', "  kind cron, last active 2d ago", "  {", '    "sessionId": "s-cron",', `    "updatedAt": ${NOW - 2 * DAY}`, "  }", ""].join("\n"));
  });

  it("an unknown key exits 2 naming the key and the store", async () => {
    const store = await seed();
    expect(await hub(["sessions", "show", "agent:main:nope", "--state-dir", tmp()])).toEqual({ code: 2, stdout: "", stderr: `hub sessions: no session "agent:main:nope" in ${store}\n` });
  });

  it("needs exactly one key", async () => {
    expect((await hub(["sessions", "show", "--state-dir", tmp()])).code).toBe(1);
    const r = await hub(["sessions", "show", "a", "b", "--state-dir", tmp()]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe("hub sessions: sessions show takes exactly one <key>");
  });
});

describe("hub sessions delete", () => {
  async function seedWithTranscripts() {
    const store = await seed();
    const dir = path.dirname(store);
    await writeTranscript(path.join(dir, "s-wa.jsonl"), "s-wa", ["hi", "hello"]);
    await writeTranscript(path.join(dir, "s-cron.jsonl"), "s-cron", ["digest"]);
    return { store, dir };
  }

  it("removes the keys and archives their transcripts", async () => {
    const { store, dir } = await seedWithTranscripts();
    const r = await hub(["sessions", "delete", "agent:main:whatsapp:group:123@g.us", "cron:nightly", "--state-dir", tmp()]);
    expect(r).toEqual({
      code: 0,
      stderr: "",
      stdout: "deleted agent:main:whatsapp:group:123@g.us (archived 1 transcript)\ndeleted cron:nightly (archived 1 transcript)\n",
    });
    const stored = JSON.parse(await fs.readFile(store, "utf8")) as Record<string, unknown>;
    expect(Object.keys(stored).sort()).toEqual(["agent:main:main", SLACK_THREAD]);
    const names = await fs.readdir(dir);
    expect(names).not.toContain("s-wa.jsonl");
    expect(names.filter((n) => n.startsWith("s-wa.jsonl.deleted."))).toHaveLength(1);
    expect(names.filter((n) => n.startsWith("s-cron.jsonl.deleted."))).toHaveLength(1);
  });

  it("--dry-run says what it would do and changes nothing", async () => {
    await seedWithTranscripts();
    const before = await snapshot(tmp());
    const r = await hub(["sessions", "delete", "cron:nightly", "agent:main:main", "--dry-run", "--state-dir", tmp()]);
    expect(r).toEqual({ code: 0, stderr: "", stdout: "would delete cron:nightly (would archive 1 transcript)\nwould delete agent:main:main\n" });
    expect(await snapshot(tmp())).toEqual(before);
  });

  it("an unknown key is reported on stderr with exit 2; the known ones are still deleted", async () => {
    const { store } = await seedWithTranscripts();
    const r = await hub(["sessions", "delete", "agent:main:nope", "cron:nightly", "--state-dir", tmp()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`hub sessions: no session "agent:main:nope" in ${store}\n`);
    expect(r.stdout).toBe("deleted cron:nightly (archived 1 transcript)\n");
    expect(await exists(path.join(path.dirname(store), "s-cron.jsonl"))).toBe(false);
  });

  it("needs at least one key", async () => {
    const r = await hub(["sessions", "delete", "--state-dir", tmp()]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe("hub sessions: sessions delete needs at least one <key>");
  });
});
