/**
 * `hub.run` under each queue mode: a burst of 50 messages into one conversation while its
 * first turn runs, with the resulting transcript order asserted.
 */
import { describe, expect, it } from "vitest";
import type { HubConfig } from "../../src/config/schema.js";
import type { RunTurn } from "../../src/run/types.js";
import { useHub } from "../hub/helpers.js";
import { KEY, aborted, gate, message, statuses, transcript } from "./helpers.js";

const t = useHub();
const BURST = 50;

function queueConfig(queue: NonNullable<HubConfig["messages"]>["queue"]): HubConfig {
  return { messages: { queue } };
}

/**
 * Sends message 0, and once its turn runs (held by `first`, which may wait for its signal)
 * the other 49 at once; every turn replies `re: <its text>`.
 */
async function burst(hub: Awaited<ReturnType<typeof t.open>>, first: (turn: RunTurn) => Promise<void>, offset = 0) {
  const turns: string[] = [];
  const started = gate();
  const agent = async (turn: RunTurn) => {
    turns.push(turn.text);
    if (turn.text === `msg ${offset}`) {
      started.open();
      await first(turn);
    }
    await turn.reply(`re: ${turn.text}`);
  };
  const runs = [hub.run(message(offset), agent)];
  await started.promise;
  for (let i = 1; i < BURST; i++) runs.push(hub.run(message(offset + i), agent));
  return { results: await Promise.all(runs), turns };
}

/** A burst whose first turn is held for 50 ms, so the other 49 queue behind it. */
async function heldBurst(hub: Awaited<ReturnType<typeof t.open>>) {
  const hold = gate();
  const sent = burst(hub, () => hold.promise);
  await new Promise((resolve) => setTimeout(resolve, 50));
  hold.open();
  return sent;
}

describe("hub.run queue modes (burst of 50 into one conversation)", () => {
  it("followup: each message is its own turn, in order; user and assistant alternate", async () => {
    const hub = await t.open({ config: queueConfig({ mode: "followup", cap: 100 }) });
    const { results, turns } = await heldBurst(hub);
    expect(statuses(results)).toEqual(Array(BURST).fill("done"));
    expect(turns).toEqual(Array.from({ length: BURST }, (_, i) => `msg ${i}`));
    const expected = Array.from({ length: BURST }, (_, i) => [`user: msg ${i}`, `assistant: re: msg ${i}`]).flat();
    expect(await transcript(hub)).toEqual(expected);
  });

  it("collect: everything queued during a turn becomes one next turn with one reply", async () => {
    const hub = await t.open({ config: queueConfig({ mode: "collect", cap: 100 }) });
    const { results, turns } = await heldBurst(hub);
    expect(statuses(results)).toEqual(Array(BURST).fill("done"));
    const rest = Array.from({ length: BURST - 1 }, (_, i) => `msg ${i + 1}`);
    expect(turns).toEqual(["msg 0", rest.join("\n")]);
    expect(await transcript(hub)).toEqual(["user: msg 0", "assistant: re: msg 0", ...rest.map((m) => `user: ${m}`), `assistant: re: ${rest.join("\n")}`]);
    // Every message of the collected turn reports its one reply.
    const last = results[BURST - 1];
    expect(last?.status === "done" && last.replies.length).toBe(1);
  });

  it("collect is the default mode", async () => {
    const hub = await t.open({ config: queueConfig({ cap: 100 }) });
    expect((await heldBurst(hub)).turns).toHaveLength(2);
  });

  it("interrupt: the running turn's signal fires, older queued messages are dropped, the newest runs", async () => {
    const hub = await t.open({ config: queueConfig({ mode: "interrupt", cap: 100 }) });
    const { results, turns } = await burst(hub, async (turn) => {
      await aborted(turn.signal);
      expect(turn.signal.reason).toBeInstanceOf(DOMException);
      expect((turn.signal.reason as DOMException).name).toBe("AbortError");
      // An interrupted turn writes nothing more.
      await expect(turn.reply("too late")).rejects.toBe(turn.signal.reason);
      throw turn.signal.reason;
    });
    const s = statuses(results);
    expect(s[0]).toBe("interrupted:interrupted");
    expect(s[BURST - 1]).toBe("done");
    for (const status of s.slice(1, -1)) expect(["dropped:superseded", "interrupted:interrupted"]).toContain(status);
    expect(turns.at(-1)).toBe(`msg ${BURST - 1}`);
    const lines = await transcript(hub);
    expect(lines.filter((l) => l.startsWith("assistant:"))).toEqual([`assistant: re: msg ${BURST - 1}`]);
    expect(lines.slice(-2)).toEqual([`user: msg ${BURST - 1}`, `assistant: re: msg ${BURST - 1}`]);
    expect(lines[0]).toBe("user: msg 0");
    // Dropped messages were never received: not in the transcript.
    const dropped = s.flatMap((status, i) => (status === "dropped:superseded" ? [`user: msg ${i}`] : []));
    expect(dropped.length).toBeGreaterThan(0);
    for (const line of dropped) expect(lines).not.toContain(line);
  });

  it("byChannel overrides the mode, and the entry's queueMode overrides both", async () => {
    const hub = await t.open({ config: queueConfig({ mode: "interrupt", byChannel: { telegram: "collect" }, cap: 100 }) });
    let hold = gate();
    let sent = burst(hub, () => hold.promise);
    await new Promise((resolve) => setTimeout(resolve, 50));
    hold.open();
    expect((await sent).turns).toHaveLength(2); // collect, from byChannel
    await hub.backend.update(KEY, (draft) => draft.patch(KEY, { queueMode: "followup" }));
    hold = gate();
    sent = burst(hub, () => hold.promise, 100);
    await new Promise((resolve) => setTimeout(resolve, 50));
    hold.open();
    expect((await sent).turns).toHaveLength(BURST); // followup, from the entry
  });
});
