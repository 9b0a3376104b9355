/**
 * Issue 11 item 3: an idle or daily reset is confirmed against the newest message of the
 * transcript before it fires. The entry's clock may lag (a clock journal not folded yet) or
 * be lost; a clock older than the transcript must never reset a live conversation. The
 * hot path (a fresh entry) does not read the transcript.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openFileBackend } from "../../src/backend/file/index.js";
import type { Backend } from "../../src/backend/types.js";
import { HOUR, MINUTE, processed, sessionsDir, useHub } from "./helpers.js";

const t = useHub("2026-11-20T09:00:00Z");
const idle = { session: { reset: { mode: "idle" as const, idleMinutes: 60 } } };
const daily = { session: { reset: { mode: "daily" as const, atHour: 4 }, timezone: "UTC" } };
const dm = { channel: "telegram", chatType: "direct", peerId: "111" } as const;

/** A file backend that counts `lastActivity` calls (another kind of backend, to the hub). */
function counting(stateDir: string, now: () => number): { backend: Backend; asked: () => number; close: () => Promise<void> } {
  const inner = openFileBackend({ stateDir, durable: false, now });
  let asked = 0;
  const backend = new Proxy(inner, {
    get(target, prop) {
      if (prop === "kind") return "counting";
      if (prop === "lastActivity") return (key: string, sessionId: string) => (asked++, target.lastActivity(key, sessionId));
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { backend, asked: () => asked, close: () => inner.close() };
}

describe("a reset is confirmed against the transcript", () => {
  it("idle: an entry whose clock is old but whose transcript has a recent message keeps its session", async () => {
    const hub = await t.open({ config: idle });
    const first = processed(await hub.receive({ ...dm, messageId: "a1", text: "one" }));
    t.clock().advance(50 * MINUTE);
    processed(await hub.receive({ ...dm, messageId: "a2", text: "two" }));
    // The clock lags (as a lost journal record leaves it): it says idle since the first message.
    await hub.backend.update(first.sessionKey, (d) => d.patch(first.sessionKey, { updatedAt: first.entry.updatedAt }));
    t.clock().advance(20 * MINUTE); // 70 minutes after the clock, 20 after the last message
    const third = processed(await hub.receive({ ...dm, messageId: "a3", text: "three" }));
    expect(third).toMatchObject({ isNewSession: false, sessionId: first.sessionId });
    expect(third.entry.updatedAt).toBe(t.clock().at);
    t.clock().advance(61 * MINUTE); // really idle now
    expect(processed(await hub.receive({ ...dm, messageId: "a4", text: "four" }))).toMatchObject({ isNewSession: true, resetReason: "idle" });
  });

  it("daily: a clock from before the boundary does not reset a conversation that went on after it", async () => {
    const hub = await t.open({ config: daily });
    const first = processed(await hub.receive({ ...dm, messageId: "d1", text: "yesterday" }));
    t.clock().advance(20 * HOUR); // 05:00 the next day, past the 04:00 boundary
    const morning = processed(await hub.receive({ ...dm, messageId: "d2", text: "morning" }));
    expect(morning).toMatchObject({ isNewSession: true, resetReason: "daily" });
    await hub.backend.update(first.sessionKey, (d) => d.patch(first.sessionKey, { updatedAt: first.entry.updatedAt }));
    t.clock().advance(HOUR);
    const later = processed(await hub.receive({ ...dm, messageId: "d3", text: "later" }));
    expect(later).toMatchObject({ isNewSession: false, sessionId: morning.sessionId });
  });

  it("a stale entry whose transcript has no messages (removed by hand) is reset", async () => {
    const hub = await t.open({ config: idle });
    const first = processed(await hub.receive({ ...dm, messageId: "r1", text: "one" }));
    await fs.rm(path.join(sessionsDir(t.dir()), `${first.sessionId}.jsonl`));
    t.clock().advance(2 * HOUR);
    expect(processed(await hub.receive({ ...dm, messageId: "r2", text: "two" }))).toMatchObject({ isNewSession: true, resetReason: "idle" });
  });

  it("reads the transcript only for a reset: a fresh session never asks", async () => {
    const { backend, asked, close } = counting(t.dir(), t.clock().now);
    const hub = await t.open({ config: idle, backend });
    processed(await hub.receive({ ...dm, messageId: "c1", text: "one" }));
    t.clock().advance(30 * MINUTE);
    processed(await hub.receive({ ...dm, messageId: "c2", text: "two" }));
    expect(asked()).toBe(0);
    t.clock().advance(2 * HOUR);
    expect(processed(await hub.receive({ ...dm, messageId: "c3", text: "three" }))).toMatchObject({ resetReason: "idle" });
    expect(asked()).toBe(1);
    await hub.close();
    await close();
  });
});
