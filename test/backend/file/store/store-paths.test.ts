import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import { resolveStateDir, resolveStorePath } from "../../../../src/backend/file/store/paths.js";
import { useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-paths-");
const savedStateDir = process.env.HUB_STATE_DIR;

afterEach(() => {
  if (savedStateDir === undefined) delete process.env.HUB_STATE_DIR;
  else process.env.HUB_STATE_DIR = savedStateDir;
});

describe("where the store lives", () => {
  it("<stateDir>/agents/<agentId>/sessions/sessions.json, with the agent id normalized", () => {
    const store = openSessionStore({ stateDir: tmp(), agentId: " Work Bot! " });
    expect(store.path).toBe(path.join(tmp(), "agents", "work-bot", "sessions", "sessions.json"));
    expect(store.dir).toBe(path.join(tmp(), "agents", "work-bot", "sessions"));
    expect(store.agentId).toBe("work-bot");
  });

  it("agentId defaults to main; reserved names fall back to main", () => {
    expect(openSessionStore({ stateDir: tmp() }).path).toBe(path.join(tmp(), "agents", "main", "sessions", "sessions.json"));
    expect(openSessionStore({ stateDir: tmp(), agentId: "__proto__" }).agentId).toBe("main");
  });

  it("stateDir defaults to env HUB_STATE_DIR, else ~/.hub", () => {
    process.env.HUB_STATE_DIR = tmp();
    expect(openSessionStore().path).toBe(path.join(tmp(), "agents", "main", "sessions", "sessions.json"));
    delete process.env.HUB_STATE_DIR;
    expect(resolveStateDir()).toBe(path.join(os.homedir(), ".hub"));
  });

  it("an explicit path is a template: {agentId} is replaced, a leading ~ expanded, the result absolute", () => {
    expect(resolveStorePath({ path: "~/stores/{agentId}/s.json", agentId: "Ops" })).toBe(path.join(os.homedir(), "stores", "ops", "s.json"));
    expect(resolveStorePath({ path: "relative/sessions.json" })).toBe(path.resolve("relative/sessions.json"));
    expect(openSessionStore({ path: path.join(tmp(), "{agentId}.json"), agentId: "a1" }).path).toBe(path.join(tmp(), "a1.json"));
  });

  it("opening touches nothing on disk", async () => {
    const store = openSessionStore({ stateDir: path.join(tmp(), "state") });
    expect(existsSync(path.join(tmp(), "state"))).toBe(false);
    await store.list();
    expect(existsSync(path.join(tmp(), "state"))).toBe(false);
  });
});
