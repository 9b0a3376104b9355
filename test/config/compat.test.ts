/**
 * clawdbot/openclaw config sections load as they are. A blank `session.store` means the default
 * path (moltbot/moltbot src/config/sessions/paths.ts, resolveStorePath: `if (!store)` → the
 * default store; we also treat whitespace as blank). `rawKeyPrefix` is openclaw's send-policy
 * match field (openclaw/openclaw docs, session.sendPolicy).
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.js";
import { createHub } from "../../src/hub.js";
import { runCli } from "../../src/index.js";

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-config-compat-"));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe("a blank session.store is the default path", () => {
  it.each(["", "   "])("validateConfig drops %j", (store) => {
    expect(validateConfig({ session: { store } }).session?.store).toBeUndefined();
  });

  it.each(["", "  "])("createHub with store %j opens <stateDir>/agents/<agentId>/sessions/sessions.json", async (store) => {
    const hub = await createHub({ stateDir: dir, agentId: "Ops", durable: false, config: { session: { store } } });
    try {
      expect(hub.store.path).toBe(path.join(dir, "agents", "ops", "sessions", "sessions.json"));
    } finally {
      await hub.close();
    }
  });

  it("the CLI reads a hub.json5 with store: \"\" as the default store", async () => {
    await fs.writeFile(path.join(dir, "hub.json5"), '{ session: { store: "" } }');
    const out: string[] = [];
    const code = await runCli(["status", "--json", "--state-dir", dir], { stdout: (t) => out.push(t), stderr: (t) => out.push(t) });
    expect(code).toBe(0);
    expect(JSON.parse(out.join("")).path).toBe(path.join(dir, "agents", "main", "sessions", "sessions.json"));
  });
});

describe("send policy rules", () => {
  it("accept openclaw's rawKeyPrefix", () => {
    const config = { session: { sendPolicy: { rules: [{ action: "deny" as const, match: { rawKeyPrefix: "agent:main:discord:" } }] } } };
    expect(validateConfig(config).session?.sendPolicy?.rules?.[0]?.match?.rawKeyPrefix).toBe("agent:main:discord:");
  });
});

describe("reset policies", () => {
  it('accept openclaw\'s mode "none" (read as "never")', () => {
    expect(validateConfig({ session: { reset: { mode: "none" } } }).session?.reset?.mode).toBe("none");
  });
});
