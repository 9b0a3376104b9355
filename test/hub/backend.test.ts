/**
 * `createHub({ backend })`: the façade talks only to the backend it is given (and opens no
 * files of its own), leaves it open on close; without one it opens the file backend of its
 * state dir and closes it. `hub.store` exists on the file backend only.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openFileBackend } from "../../src/backend/file/index.js";
import type { Backend } from "../../src/backend/types.js";
import { createHub } from "../../src/hub.js";
import { exists, processed, useHub } from "./helpers.js";

const t = useHub();
const dm = { channel: "telegram", chatType: "direct", peerId: "111", senderName: "Alice" } as const;
const KEY = "agent:main:telegram:dm:111";

/** The same file backend, as another kind (the hub must not rely on its being a file backend). */
function disguised(backend: Backend): Backend {
  return new Proxy(backend, {
    get(target, prop) {
      if (prop === "kind") return "disguised";
      if (prop === "store") return undefined;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("createHub({ backend })", () => {
  it("goes through the given backend only, opens no files in its stateDir, and leaves the backend open", async () => {
    const data = await fs.mkdtemp(path.join(os.tmpdir(), "hub-given-"));
    const backend = openFileBackend({ stateDir: data, durable: false, now: t.clock().now });
    try {
      const hub = await t.open({ backend: disguised(backend), config: {} });
      expect(hub.backend.kind).toBe("disguised");
      const r = processed(await hub.receive({ ...dm, messageId: "m1", text: "hi" }));
      expect((await hub.reply(KEY, { text: "hello" })).sent).toBe(true);
      expect(await hub.receive({ ...dm, messageId: "m1", text: "hi" })).toEqual({ duplicate: true });
      expect((await backend.read(KEY)).messages.map((m) => m.content)).toEqual(["hi", "hello"]);
      expect((await hub.sessions()).map((row) => row.key)).toEqual([KEY]);
      await hub.registerGateway({ gatewayId: "tg", name: "Telegram bot", type: "telegram" });
      expect((await backend.listGateways()).map((g) => g.gatewayId)).toEqual(["tg"]);
      expect(await hub.endSession(KEY)).toBe(true);
      expect((await backend.get(KEY))?.endedAt).toBe(t.clock().at);
      expect(() => hub.store).toThrow(expect.objectContaining({ code: "E_INVALID_ARGUMENT" }));
      await hub.close();
      expect((await backend.get(KEY))?.sessionId).toBe(r.sessionId); // still open
      expect(await fs.readdir(t.dir())).toEqual([]); // nothing created in the hub's stateDir
    } finally {
      await backend.close();
      await fs.rm(data, { recursive: true, force: true });
    }
  });

  it("a given file backend keeps hub.store; a wrong agentId or a non-backend is E_INVALID_ARGUMENT", async () => {
    const backend = openFileBackend({ stateDir: t.dir(), agentId: "ops", durable: false });
    try {
      const hub = await t.open({ backend });
      expect(hub.store).toBe(backend.store);
      processed(await hub.receive({ ...dm, text: "hi" }));
      expect((await backend.list()).sessions.map((row) => row.key)).toEqual(["agent:ops:telegram:dm:111"]);
      await expect(createHub({ stateDir: t.dir(), backend, agentId: "main" })).rejects.toMatchObject({ code: "E_INVALID_ARGUMENT" });
      await expect(createHub({ stateDir: t.dir(), backend: { kind: "x" } as unknown as Backend })).rejects.toMatchObject({ code: "E_INVALID_ARGUMENT" });
    } finally {
      await backend.close();
    }
  });

  it("without one, the hub opens the file backend of its stateDir and closes it", async () => {
    const hub = await createHub({ stateDir: t.dir(), now: t.clock().now, durable: false, config: {} });
    expect(hub.backend.kind).toBe("file");
    expect(hub.store.path).toBe(path.join(t.dir(), "agents", "main", "sessions", "sessions.json"));
    processed(await hub.receive({ ...dm, text: "hi" }));
    expect(await exists(hub.store.path)).toBe(true);
    await hub.close();
    await expect(hub.backend.get(KEY)).rejects.toMatchObject({ code: "E_STORE_CLOSED" });
  });
});

describe("createHub({ activityFlushMs })", () => {
  it("reaches the file backend: 0 writes sessions.json on every message", async () => {
    const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-flush-"));
    let now = Date.parse("2026-11-20T09:00:00Z");
    const hub = await createHub({ stateDir, durable: false, activityFlushMs: 0, now: () => now });
    const key = "agent:main:telegram:dm:111";
    await hub.receive({ channel: "telegram", chatType: "direct", peerId: "111", text: "one" });
    now += 60_000;
    await hub.receive({ channel: "telegram", chatType: "direct", peerId: "111", text: "two" });
    const onDisk = JSON.parse(await fs.readFile(path.join(stateDir, "agents/main/sessions/sessions.json"), "utf8")) as Record<string, { updatedAt: number }>;
    expect(onDisk[key]?.updatedAt).toBe(now);
    await hub.close();
    await fs.rm(stateDir, { recursive: true, force: true });
  });
});
