/**
 * `defineConfig` and plain config literals at runtime: the object is passed through as it
 * is, and `createHub` still validates it (a widened string is checked like a file's).
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defineConfig } from "../../src/config/define.js";
import { createHub } from "../../src/hub.js";

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-define-"));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe("defineConfig", () => {
  it("returns the very object it was given", () => {
    const config = { session: { dmScope: "per-peer" as const } };
    expect(defineConfig(config)).toBe(config);
  });

  it("a plain literal in a variable opens a hub; a wrong value in it is E_INVALID_CONFIG", async () => {
    const good = { session: { dmScope: "per-peer", reset: { mode: "idle", idleMinutes: 30 } } };
    const hub = await createHub({ stateDir: dir, config: good, durable: false });
    expect(hub.config.session?.dmScope).toBe("per-peer");
    await hub.close();
    const bad = { session: { dmScope: "per-pear" } };
    await expect(createHub({ stateDir: dir, config: bad })).rejects.toMatchObject({
      code: "E_INVALID_CONFIG",
      message: 'invalid config: session.dmScope: expected "main", "per-peer", "per-channel-peer" or "per-account-channel-peer", got "per-pear"',
    });
  });
});
