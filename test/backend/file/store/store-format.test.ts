import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openSessionStore, type StoreWarning } from "../../../../src/backend/file/store/session-store.js";
import { FIXTURES_DIR, readStoreFile, useTempDir, writeStoreFile } from "../helpers.js";

const tmp = useTempDir("hub-format-");

async function modeOf(p: string): Promise<number> {
  return (await fs.stat(p)).mode & 0o777;
}

describe("the file on disk", () => {
  it("is exactly JSON.stringify(JSON.parse(file), null, 2) after any mix of writes", async () => {
    const file = path.join(tmp(), "sessions.json");
    const store = openSessionStore({ path: file, now: () => 5 });
    const check = async () => {
      const text = await fs.readFile(file, "utf8");
      expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2));
    };
    await store.update("agent:main:main", { origin: { label: "x", threadId: 7 }, previousSessionIds: [], deliveryContext: {} });
    await check();
    await Promise.all([store.update("ünïcødé 🎉 \"quoted\"\n", { label: "line\nbreak" }), store.update("42", {}), store.update("7", {}), store.update("", {}).catch(() => undefined)]);
    await check();
    await store.delete("agent:main:main");
    await store.touch("42", 99);
    await check();
    await store.update("agent:main:main", { nested: { deep: [1, [2, { three: null }]] } });
    await check();
    expect(Object.keys(await readStoreFile(file))).toEqual(["7", "42", "ünïcødé 🎉 \"quoted\"\n", "agent:main:main"]);
  });

  it("is created with mode 0600 in directories created with mode 0700", async () => {
    const stateDir = path.join(tmp(), "state");
    const store = openSessionStore({ stateDir, agentId: "work" });
    await store.update("k", {});
    await store.update("k", { label: "twice" }); // also makes the backup
    expect(store.path).toBe(path.join(stateDir, "agents", "work", "sessions", "sessions.json"));
    expect(await modeOf(store.path)).toBe(0o600);
    expect(await modeOf(`${store.path}.bak`)).toBe(0o600);
    for (const dir of ["state", "state/agents", "state/agents/work", "state/agents/work/sessions"]) {
      expect(await modeOf(path.join(tmp(), dir)), dir).toBe(0o700);
    }
  });

  it("keeps mode 0600 when rewriting a file someone created 0644", async () => {
    const file = path.join(tmp(), "sessions.json");
    await writeStoreFile(file, {});
    await fs.chmod(file, 0o644);
    await openSessionStore({ path: file }).update("k", {});
    expect(await modeOf(file)).toBe(0o600);
  });

  it("leaves nothing behind but sessions.json and its backup", async () => {
    const file = path.join(tmp(), "sessions.json");
    const store = openSessionStore({ path: file });
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.update(`k${i}`, {})));
    await store.update("k0", { label: "x" });
    expect((await fs.readdir(tmp())).sort()).toEqual(["sessions.json", "sessions.json.bak"]);
  });
});

describe("the backup", () => {
  it("sessions.json.bak holds the file as it was before the last write", async () => {
    const file = path.join(tmp(), "sessions.json");
    const store = openSessionStore({ path: file });
    await store.update("first", {});
    const afterFirst = await fs.readFile(file, "utf8");
    await store.update("second", {});
    expect(await fs.readFile(`${file}.bak`, "utf8")).toBe(afterFirst);
    const afterSecond = await fs.readFile(file, "utf8");
    await store.delete("first");
    expect(await fs.readFile(`${file}.bak`, "utf8")).toBe(afterSecond);
  });
});

describe("a hand-edited JSON5 file", () => {
  it("opens (comments, trailing commas), and the next write turns it into plain JSON", async () => {
    const file = path.join(tmp(), "sessions.json");
    await writeStoreFile(
      file,
      `{
  // pinned by hand
  "agent:main:main": {
    "sessionId": "abc",
    "updatedAt": 100,
    "label": 'edited', /* why not */
  },
}
`,
    );
    const warnings: StoreWarning[] = [];
    const store = openSessionStore({ path: file, onWarning: (w) => warnings.push(w) });
    expect(await store.get("agent:main:main")).toEqual({ sessionId: "abc", updatedAt: 100, label: "edited" });
    await store.update("agent:main:main", { model: "m" });
    const text = await fs.readFile(file, "utf8");
    expect(text).toBe(JSON.stringify({ "agent:main:main": { sessionId: "abc", updatedAt: 100, label: "edited", model: "m" } }, null, 2));
    expect(warnings).toEqual([]);
  });
});

describe("the clawdbot fixture", () => {
  const fixture = path.join(FIXTURES_DIR, "clawdbot-sessions.json");

  it("opens as it is: every entry listed, legacy fields migrated, the file untouched by reading", async () => {
    const file = path.join(tmp(), "sessions.json");
    await fs.copyFile(fixture, file);
    const original = await fs.readFile(file);
    const warnings: StoreWarning[] = [];
    const store = openSessionStore({ path: file, onWarning: (w) => warnings.push(w) });
    const listed = await store.list();
    expect(listed.map((item) => item.key)).toEqual([
      "agent:main:main",
      "agent:main:whatsapp:group:123@g.us",
      "cron:nightly-digest",
      "agent:main:telegram:direct:5550001",
      "agent:main:discord:channel:998877",
      "group:legacy-team",
    ]);
    const discord = await store.get("agent:main:discord:channel:998877");
    expect(discord).toEqual({ sessionId: "c0ffee00-1111-4222-8333-444455556666", updatedAt: 1795000000000, channel: "discord", lastChannel: "discord", groupChannel: "#general", sendPolicy: "deny" });
    expect((await store.get("agent:main:whatsapp:group:123@g.us"))?.origin).toEqual({ label: "Family id:123@g.us", provider: "whatsapp", chatType: "group", from: "123@g.us" });
    expect(warnings).toEqual([]);
    expect(await fs.readFile(file)).toEqual(original);
  });

  it("a write keeps every entry and stores the migrated fields", async () => {
    const file = path.join(tmp(), "sessions.json");
    await fs.copyFile(fixture, file);
    const before = JSON.parse(await fs.readFile(fixture, "utf8")) as Record<string, Record<string, unknown>>;
    const store = openSessionStore({ path: file });
    await store.touch("cron:nightly-digest", 1795200000000);
    const after = await readStoreFile(file);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(after["agent:main:discord:channel:998877"]).toMatchObject({ channel: "discord", lastChannel: "discord", groupChannel: "#general" });
    expect(JSON.stringify(after)).not.toMatch(/"provider":"discord"|lastProvider|"room"/);
    expect(after["agent:main:main"]).toEqual(before["agent:main:main"]);
    expect(after["cron:nightly-digest"]?.updatedAt).toBe(1795200000000);
  });
});
