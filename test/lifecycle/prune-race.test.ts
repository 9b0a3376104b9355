/**
 * A prune racing messages into idle sessions (issue 9.11): every message a `receive`
 * acknowledged is in a live transcript afterwards (the transcript of its key's entry), never
 * only in a `.deleted.` archive. Receives and the prune run in one process and meet in the
 * store's write queue and the transcripts' locks; several start offsets cover the orders.
 */
import { describe, expect, it } from "vitest";
import { DAY_MS, useHub } from "../hub/helpers.js";

const t = useHub("2026-11-20T09:00:00Z");
const SESSIONS = 12;

const dmOf = (i: number) => ({ channel: "telegram", chatType: "direct", peerId: `${1000 + i}` }) as const;

async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe("prune racing receives into idle sessions", () => {
  it.each([0, 1, 2, 4, 8])("leaves every acknowledged message in a live transcript (prune started after %i ticks)", async (delay) => {
    const config = { session: { reset: { mode: "never" as const }, maintenance: { pruneAfter: "1d" } } };
    const hub = await t.open({ config });
    const keys: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const r = await hub.receive({ ...dmOf(i), text: `old ${i}` });
      if (r.duplicate) throw new Error("unexpected duplicate");
      keys.push(r.sessionKey);
    }
    t.clock().advance(2 * DAY_MS); // every session is now idle past pruneAfter

    const receives = keys.map((_, i) => hub.receive({ ...dmOf(i), text: `new ${i}` }));
    await ticks(delay);
    const report = await hub.prune();
    await Promise.all(receives);

    for (const [i, key] of keys.entries()) {
      const entry = await hub.session(key);
      expect(entry, `entry ${key} (removed: ${report.removed.map((r) => r.key).join(",")})`).toBeDefined();
      const texts = (await hub.history(key, { limit: 50 })).messages.map((m) => m.content);
      expect(texts, `history of ${key}`).toContain(`new ${i}`);
    }
  });
});
