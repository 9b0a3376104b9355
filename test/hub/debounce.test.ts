/**
 * `hub.createDebouncer`: rapid texts from one sender in one conversation become one turn;
 * media and control commands flush at once. Timers are a small fake written here (no
 * patched globals): a test fires them by hand.
 */
import { describe, expect, it } from "vitest";
import type { InboundMessage } from "../../src/hub.js";
import type { Timers } from "../../src/hub/debounce.js";
import { processed, transcriptMessages, useHub } from "./helpers.js";

const t = useHub();

interface FakeTimer {
  fn: () => void;
  ms: number;
  cleared: boolean;
}

/** Records every timer; `fire()` runs the live ones. */
function fakeTimers() {
  const all: FakeTimer[] = [];
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const timer = { fn, ms, cleared: false };
      all.push(timer);
      return timer;
    },
    clearTimeout: (handle) => {
      if (handle !== undefined) (handle as FakeTimer).cleared = true;
    },
  };
  return {
    timers,
    live: () => all.filter((timer) => !timer.cleared),
    /** Runs every live timer once (as if its delay had passed). */
    fire() {
      for (const timer of all.filter((x) => !x.cleared)) {
        timer.cleared = true;
        timer.fn();
      }
    },
  };
}

/** Collects flushed turns; `settled()` waits for the onFlush calls in flight. */
function collector(handle?: (message: InboundMessage) => Promise<unknown>) {
  const turns: Array<{ text: string; batch: string[] }> = [];
  const inFlight: Array<Promise<unknown>> = [];
  return {
    turns,
    onFlush: (message: InboundMessage, batch: InboundMessage[]) => {
      turns.push({ text: message.text, batch: batch.map((m) => m.text) });
      const done = handle ? handle(message) : Promise.resolve();
      inFlight.push(done);
      return done.then(() => undefined);
    },
    settled: () => Promise.all(inFlight),
  };
}

const alice = { channel: "telegram", chatType: "direct", peerId: "111", senderId: "111" } as const;

describe("createDebouncer", () => {
  it("batches rapid texts into one turn: texts joined by newlines, routing of the last", async () => {
    const hub = await t.open();
    const clock = fakeTimers();
    const sink = collector();
    const debouncer = hub.createDebouncer({ debounceMs: 2000, timers: clock.timers, onFlush: sink.onFlush });
    await debouncer.push({ ...alice, messageId: "1", text: "hey" });
    await debouncer.push({ ...alice, messageId: "2", text: "are you there?" });
    await debouncer.push({ ...alice, messageId: "3", text: "need help" });
    expect(sink.turns).toEqual([]);
    expect(debouncer.pending).toBe(3);
    // Each push restarted the quiet period: one live timer, of the configured length.
    expect(clock.live().map((timer) => timer.ms)).toEqual([2000]);
    clock.fire();
    await sink.settled();
    expect(sink.turns).toEqual([{ text: "hey\nare you there?\nneed help", batch: ["hey", "are you there?", "need help"] }]);
    expect(debouncer.pending).toBe(0);
  });

  it("the merged turn goes through receive as one message", async () => {
    const hub = await t.open();
    const clock = fakeTimers();
    const results: string[] = [];
    const sink = collector(async (message) => {
      const r = processed(await hub.receive(message));
      results.push(r.sessionId);
    });
    const debouncer = hub.createDebouncer({ debounceMs: 1000, timers: clock.timers, onFlush: sink.onFlush });
    await debouncer.push({ ...alice, messageId: "1", text: "a" });
    await debouncer.push({ ...alice, messageId: "2", text: "b" });
    clock.fire();
    await sink.settled();
    const [sessionId] = results;
    const lines = await transcriptMessages(t.dir(), sessionId ?? "");
    expect(lines.map((l) => [l.message?.content, l.meta?.gatewayMessageId])).toEqual([["a\nb", "2"]]);
  });

  it("media flushes the pending batch first, then passes at once", async () => {
    const hub = await t.open();
    const clock = fakeTimers();
    const sink = collector();
    const debouncer = hub.createDebouncer({ debounceMs: 2000, timers: clock.timers, onFlush: sink.onFlush });
    await debouncer.push({ ...alice, text: "look at this" });
    await debouncer.push({ ...alice, text: "<photo>", media: true });
    expect(sink.turns).toEqual([
      { text: "look at this", batch: ["look at this"] },
      { text: "<photo>", batch: ["<photo>"] },
    ]);
    expect(clock.live()).toEqual([]);
    expect(debouncer.pending).toBe(0);
  });

  it("/new and /send flush at once (after what was pending)", async () => {
    const hub = await t.open();
    const clock = fakeTimers();
    const sink = collector();
    const debouncer = hub.createDebouncer({ debounceMs: 2000, timers: clock.timers, onFlush: sink.onFlush });
    await debouncer.push({ ...alice, text: "old topic" });
    await debouncer.push({ ...alice, text: "/new fresh start" });
    await debouncer.push({ ...alice, text: "/send off" });
    expect(sink.turns.map((turn) => turn.text)).toEqual(["old topic", "/new fresh start", "/send off"]);
    expect(debouncer.pending).toBe(0);
  });

  it("keeps separate batches per sender and per conversation", async () => {
    const hub = await t.open();
    const clock = fakeTimers();
    const sink = collector();
    const debouncer = hub.createDebouncer({ debounceMs: 500, timers: clock.timers, onFlush: sink.onFlush });
    const group = { channel: "discord", chatType: "group", peerId: "G1" } as const;
    await debouncer.push({ ...group, senderId: "u1", text: "u1 a" });
    await debouncer.push({ ...group, senderId: "u2", text: "u2 a" });
    await debouncer.push({ ...group, senderId: "u1", text: "u1 b" });
    await debouncer.push({ ...alice, text: "dm" });
    expect(debouncer.pending).toBe(4);
    clock.fire();
    await sink.settled();
    expect(sink.turns.map((turn) => turn.batch).sort()).toEqual([["dm"], ["u1 a", "u1 b"], ["u2 a"]]);
  });

  it("byChannel overrides the quiet period per channel; 0 passes messages straight through", async () => {
    const hub = await t.open();
    const clock = fakeTimers();
    const sink = collector();
    const debouncer = hub.createDebouncer({ debounceMs: 1000, byChannel: { whatsapp: 5000, webchat: 0 }, timers: clock.timers, onFlush: sink.onFlush });
    await debouncer.push({ channel: "whatsapp", from: "+15550102030", text: "wa" });
    await debouncer.push({ ...alice, text: "tg" });
    expect(clock.live().map((timer) => timer.ms).sort()).toEqual([1000, 5000]);
    await debouncer.push({ channel: "webchat", peerId: "s1", text: "web" });
    expect(sink.turns.map((turn) => turn.text)).toEqual(["web"]);
  });

  it("defaults to messages.inbound from the config", async () => {
    const hub = await t.open({ config: { messages: { inbound: { debounceMs: 1500, byChannel: { whatsapp: 4000 } } } } });
    const clock = fakeTimers();
    const sink = collector();
    const debouncer = hub.createDebouncer({ timers: clock.timers, onFlush: sink.onFlush });
    await debouncer.push({ ...alice, text: "tg" });
    await debouncer.push({ channel: "whatsapp", from: "+15550102030", text: "wa" });
    expect(clock.live().map((timer) => timer.ms).sort()).toEqual([1500, 4000]);
  });

  it("without any debounce configured, every message is its own turn", async () => {
    const hub = await t.open();
    const sink = collector();
    const debouncer = hub.createDebouncer({ timers: fakeTimers().timers, onFlush: sink.onFlush });
    await debouncer.push({ ...alice, text: "a" });
    await debouncer.push({ ...alice, text: "b" });
    expect(sink.turns.map((turn) => turn.text)).toEqual(["a", "b"]);
  });

  it("flushAll delivers everything pending; onError receives a failing flush", async () => {
    const hub = await t.open();
    const clock = fakeTimers();
    const errors: Array<[string, string[]]> = [];
    const debouncer = hub.createDebouncer({
      debounceMs: 1000,
      timers: clock.timers,
      onFlush: (message) => {
        if (message.text.includes("boom")) throw new Error("gateway down");
      },
      onError: (error, batch) => errors.push([(error as Error).message, batch.map((m) => m.text)]),
    });
    await debouncer.push({ ...alice, text: "boom" });
    await debouncer.push({ channel: "slack", peerId: "U1", text: "fine" });
    await debouncer.flushAll();
    expect(debouncer.pending).toBe(0);
    expect(errors).toEqual([["gateway down", ["boom"]]]);
  });
});
