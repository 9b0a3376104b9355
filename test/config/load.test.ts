/**
 * Loading configuration: JSON5 files (comments, trailing commas), missing and unparsable
 * files, `createHub({ config: "<path>" })`, and `<stateDir>/hub.json5` picked up by default.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfigFile, resolveConfig } from "../../src/config/load.js";
import { createHub, type Hub } from "../../src/hub.js";

let dir: string;
const hubs: Hub[] = [];
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-config-"));
});
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const JSON5_CONFIG = `// hub.json5, hand-written
{
  session: {
    dmScope: 'per-peer', // one session per person across channels
    reset: { mode: "idle", idleMinutes: 90, },
    /* block comment */
    resetTriggers: ["/new", "/reset", "/fresh",],
  },
  messages: { inbound: { debounceMs: 1500 } },
}
`;

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
  return file;
}

async function openHub(options: Parameters<typeof createHub>[0]): Promise<Hub> {
  const hub = await createHub({ durable: false, ...options });
  hubs.push(hub);
  return hub;
}

describe("loadConfigFile", () => {
  it("reads JSON5: comments, single quotes, unquoted keys, trailing commas", async () => {
    const file = await write("custom.json5", JSON5_CONFIG);
    expect(await loadConfigFile(file)).toEqual({
      session: { dmScope: "per-peer", reset: { mode: "idle", idleMinutes: 90 }, resetTriggers: ["/new", "/reset", "/fresh"] },
      messages: { inbound: { debounceMs: 1500 } },
    });
  });

  it("a missing file is E_INVALID_CONFIG naming the file; optional makes it the defaults", async () => {
    const file = path.join(dir, "nope.json5");
    await expect(loadConfigFile(file)).rejects.toMatchObject({ code: "E_INVALID_CONFIG", message: `cannot read config ${file}: file not found`, file });
    expect(await loadConfigFile(file, { optional: true })).toEqual({});
  });

  it("a file that is not JSON5 is E_INVALID_CONFIG naming the file and the parse error", async () => {
    const file = await write("broken.json5", "{ session: { reset: { atHour: 4 }\n");
    const error = await loadConfigFile(file).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "E_INVALID_CONFIG", file });
    expect((error as Error).message).toMatch(new RegExp(`^config ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not valid JSON5: .*end of input`));
  });

  it("an invalid value names the file, the path, the expectation and what was found", async () => {
    const file = await write("bad.json5", "{ session: { reset: { atHour: 25 } } }");
    await expect(loadConfigFile(file)).rejects.toMatchObject({
      code: "E_INVALID_CONFIG",
      message: `invalid config ${file}: session.reset.atHour: expected an integer 0-23, got 25`,
    });
  });

  it("an unreadable path (a directory) is E_INVALID_CONFIG, even when optional", async () => {
    const file = path.join(dir, "hub.json5");
    await fs.mkdir(file);
    await expect(loadConfigFile(file, { optional: true })).rejects.toMatchObject({ code: "E_INVALID_CONFIG", file });
  });
});

describe("resolveConfig", () => {
  it("an object is validated as given; a relative path resolves against the working directory", async () => {
    await expect(resolveConfig({ session: { reset: { atHour: 24 } } }, dir)).rejects.toMatchObject({ code: "E_INVALID_CONFIG" });
    const file = await write("rel.json5", "{ session: { mainKey: 'home' } }");
    expect(await resolveConfig(path.relative(process.cwd(), file), dir)).toEqual({ session: { mainKey: "home" } });
  });

  it("nothing given: <stateDir>/hub.json5 when present, else the defaults", async () => {
    expect(await resolveConfig(undefined, dir)).toEqual({});
    await write("hub.json5", "{ session: { dmScope: 'main' } }");
    expect(await resolveConfig(undefined, dir)).toEqual({ session: { dmScope: "main" } });
  });

  it("keys of the loose sections it does not use load, and are reported (a typo is never silent)", async () => {
    const warnings: Array<{ code: string; message: string; file?: string }> = [];
    const file = await write("hub.json5", "{ session: { resetByTypes: { dm: { mode: 'idle' } }, typingMode: 'instant', dmScope: 'main' }, messages: { responsePrefix: '>' }, agents: {} }");
    expect(await resolveConfig(undefined, dir, (w) => warnings.push(w))).toEqual({ session: { dmScope: "main" }, messages: {} });
    expect(warnings).toEqual([
      { code: "E_UNKNOWN_CONFIG_KEY", message: `${file}: ignored unknown keys agents, session.resetByTypes, session.typingMode, messages.responsePrefix`, file },
    ]);
    warnings.length = 0;
    await resolveConfig({ session: { mainKey: "home" } }, dir, (w) => warnings.push(w));
    expect(warnings).toEqual([]);
  });
});

describe("createHub and configuration", () => {
  it("createHub({ config: path }) loads a JSON5 file", async () => {
    const file = await write("elsewhere/custom.json5", JSON5_CONFIG);
    const hub = await openHub({ stateDir: path.join(dir, "state"), config: file });
    expect(hub.config.session?.dmScope).toBe("per-peer");
    const r = await hub.receive({ channel: "telegram", chatType: "direct", peerId: "42", text: "/fresh hello" });
    expect(r).toMatchObject({ sessionKey: "agent:main:dm:42", body: "hello" });
  });

  it("picks up <stateDir>/hub.json5 by default", async () => {
    await write("state/hub.json5", "// defaults for this deployment\n{ session: { dmScope: 'main', mainKey: 'home' } }");
    const hub = await openHub({ stateDir: path.join(dir, "state") });
    const r = await hub.receive({ channel: "telegram", chatType: "direct", peerId: "42", text: "hi" });
    expect(r).toMatchObject({ sessionKey: "agent:main:home" });
  });

  it("a config object in code wins over <stateDir>/hub.json5", async () => {
    await write("state/hub.json5", "{ session: { dmScope: 'main' } }");
    const hub = await openHub({ stateDir: path.join(dir, "state"), config: { session: { dmScope: "per-channel-peer" } } });
    expect(await hub.receive({ channel: "telegram", chatType: "direct", peerId: "42", text: "hi" })).toMatchObject({ sessionKey: "agent:main:telegram:dm:42" });
  });

  it("session.store in the config places the store ({agentId} expanded)", async () => {
    const template = path.join(dir, "stores", "{agentId}", "sessions.json");
    const hub = await openHub({ stateDir: path.join(dir, "state"), agentId: "Work Bot", config: { session: { store: template } } });
    expect(hub.store.path).toBe(path.join(dir, "stores", "work-bot", "sessions.json"));
    await hub.receive({ channel: "telegram", chatType: "direct", peerId: "42", text: "hi" });
    const stored = JSON.parse(await fs.readFile(hub.store.path, "utf8")) as Record<string, unknown>;
    expect(Object.keys(stored)).toEqual(["agent:work-bot:telegram:dm:42"]);
  });

  it.each([
    ["an invalid object", { session: { reset: { atHour: 25 } } }, "invalid config: session.reset.atHour: expected an integer 0-23, got 25"],
    ["an invalid time zone", { session: { timezone: "Europe/Atlantis" } }, 'invalid config: session.timezone: expected an IANA time zone such as "Europe/Berlin", got "Europe/Atlantis"'],
    ["an unknown policy key", { session: { resetByChannel: { discord: { idleMinute: 5 } } } }, 'invalid config: session.resetByChannel.discord: unknown key "idleMinute"'],
  ])("createHub rejects %s with E_INVALID_CONFIG", async (_what, config, message) => {
    await expect(createHub({ stateDir: dir, config: config as never })).rejects.toMatchObject({ code: "E_INVALID_CONFIG", message });
  });

  it("createHub rejects a missing config file and an invalid default hub.json5", async () => {
    const missing = path.join(dir, "missing.json5");
    await expect(createHub({ stateDir: dir, config: missing })).rejects.toMatchObject({ code: "E_INVALID_CONFIG", message: `cannot read config ${missing}: file not found` });
    const file = await write("hub.json5", "{ messages: { dedupe: { ttl: 'soon' } } }");
    await expect(createHub({ stateDir: dir })).rejects.toMatchObject({
      code: "E_INVALID_CONFIG",
      message: `invalid config ${file}: messages.dedupe.ttl: expected a positive duration such as "30d", "12h", "90m" or a number of ms, got "soon"`,
    });
  });
});
