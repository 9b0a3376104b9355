/** `hub.run`: failures, the queue cap, duplicates, invalid input, and close. */
import { describe, expect, it } from "vitest";
import { HubError } from "../../src/errors.js";
import type { HubConfig } from "../../src/config/schema.js";
import type { RunTurn } from "../../src/run/types.js";
import { useHub } from "../hub/helpers.js";
import { KEY, gate, message, statuses, transcript } from "./helpers.js";

const t = useHub();

function config(queue: NonNullable<HubConfig["messages"]>["queue"]): HubConfig {
  return { messages: { queue } };
}

/** Message 0 holds its turn until `hold` opens; then messages 1..n-1 arrive. */
async function heldBurst(hub: Awaited<ReturnType<typeof t.open>>, n: number) {
  const hold = gate();
  const started = gate();
  const agent = async (turn: RunTurn) => {
    if (turn.text === "msg 0") {
      started.open();
      await hold.promise;
    }
    await turn.reply(`re: ${turn.text}`);
  };
  const runs = [hub.run(message(0), agent)];
  await started.promise;
  for (let i = 1; i < n; i++) runs.push(hub.run(message(i), agent));
  hold.open();
  return Promise.all(runs);
}

describe("hub.run", () => {
  it("a turn that throws rejects with its error, releases the conversation, and the next message runs", async () => {
    const hub = await t.open();
    const boom = new Error("the model is down");
    await expect(hub.run(message(1), () => Promise.reject(boom))).rejects.toBe(boom);
    const second = await hub.run(message(2), (turn) => turn.reply("fine").then(() => undefined));
    expect(second.status).toBe("done");
    expect(await transcript(hub)).toEqual(["user: msg 1", "user: msg 2", "assistant: fine"]);
    // Released across processes too: the lease is free.
    const lease = await hub.backend.tryRun(KEY);
    expect(lease).toBeDefined();
    await lease?.release();
  });

  it("a throwing turn fails only its own messages; those queued behind it still run", async () => {
    const hub = await t.open({ config: config({ mode: "followup" }) });
    const hold = gate();
    const started = gate();
    const first = hub.run(message(0), async () => {
      started.open();
      await hold.promise;
      throw new Error("boom");
    });
    await started.promise;
    const second = hub.run(message(1), (turn) => turn.reply("ok").then(() => undefined));
    hold.open();
    await expect(first).rejects.toThrow("boom");
    expect((await second).status).toBe("done");
  });

  it("queueCap with queueDrop old: the oldest waiting messages are dropped and reported", async () => {
    const hub = await t.open({ config: config({ mode: "followup", cap: 3, drop: "old" }) });
    const results = await heldBurst(hub, 10);
    expect(statuses(results)).toEqual(["done", ...Array(6).fill("dropped:queue-full"), "done", "done", "done"]);
    const lines = await transcript(hub);
    expect(lines.filter((l) => l.startsWith("user:"))).toEqual(["user: msg 0", "user: msg 7", "user: msg 8", "user: msg 9"]);
  });

  it("queueCap with queueDrop new: arrivals at a full queue are dropped and reported", async () => {
    const hub = await t.open({ config: config({ mode: "followup", cap: 3, drop: "new" }) });
    const results = await heldBurst(hub, 10);
    expect(statuses(results)).toEqual(["done", "done", "done", "done", ...Array(6).fill("dropped:queue-full")]);
    const lines = await transcript(hub);
    expect(lines.filter((l) => l.startsWith("user:"))).toEqual(["user: msg 0", "user: msg 1", "user: msg 2", "user: msg 3"]);
  });

  it("the default cap is 20 (collect)", async () => {
    const hub = await t.open();
    const results = await heldBurst(hub, 30);
    expect(statuses(results).filter((s) => s === "dropped:queue-full")).toHaveLength(9);
  });

  it("a redelivered message is a duplicate, with no turn", async () => {
    const hub = await t.open({ config: config({ mode: "followup" }) });
    let turns = 0;
    const agent = async (turn: RunTurn) => {
      turns++;
      await turn.reply("ok");
    };
    expect((await hub.run(message(1), agent)).status).toBe("done");
    expect(await hub.run(message(1), agent)).toEqual({ status: "duplicate", sessionKey: KEY });
    expect(turns).toBe(1);
  });

  it("records model, provider and usage given with turn.reply", async () => {
    const hub = await t.open();
    await hub.run(message(1), (turn) => turn.reply("hi", { model: "gpt-5", provider: "openai", usage: { input: 12, output: 3 } }).then(() => undefined));
    expect(await hub.session(KEY)).toMatchObject({ model: "gpt-5", modelProvider: "openai", inputTokens: 12, outputTokens: 3, totalTokens: 15 });
  });

  it("refuses an invalid message or handler with E_INVALID_ARGUMENT", async () => {
    const hub = await t.open();
    const error = await hub.run({ channel: "telegram", text: 5 } as never, () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).code).toBe("E_INVALID_ARGUMENT");
    const noHandler = await hub.run(message(1), "agent" as never).catch((e: unknown) => e);
    expect((noHandler as HubError).code).toBe("E_INVALID_ARGUMENT");
  });

  it("close waits for queued turns to finish", async () => {
    const hub = await t.open({ config: config({ mode: "followup" }) });
    const done: number[] = [];
    const runs = [1, 2, 3].map((i) =>
      hub.run(message(i), async (turn) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await turn.reply("ok");
        done.push(i);
      }),
    );
    await hub.close();
    expect(done).toEqual([1, 2, 3]);
    expect(statuses(await Promise.all(runs))).toEqual(["done", "done", "done"]);
  });
});
