/**
 * `hub.run` on Postgres: two hubs on two backends of one database (as two gateway replicas,
 * each with its own pool) never run turns of one conversation at once, and an interrupt
 * reaches the turn running on the other replica.
 */
import { afterEach, describe, expect, it } from "vitest";
import { openPostgresBackend, type PostgresBackend } from "../../src/backend/postgres/index.js";
import { createHub, type Hub } from "../../src/hub.js";
import type { HubConfig } from "../../src/config/schema.js";
import type { RunTurn } from "../../src/run/types.js";
import { usePostgresDatabase } from "../support/postgres.js";
import { aborted, gate, message, statuses, transcript } from "./helpers.js";

const database = usePostgresDatabase("runs");
let schemas = 0;
let open: Array<{ hub: Hub; backend: PostgresBackend }> = [];

async function replicas(config: HubConfig, schema: string): Promise<Hub[]> {
  const made = await Promise.all(
    [1, 2].map(async () => {
      const backend = await openPostgresBackend({ connectionString: database(), schema });
      return { hub: await createHub({ backend, config }), backend };
    }),
  );
  open.push(...made);
  return made.map((m) => m.hub);
}

afterEach(async () => {
  for (const { hub, backend } of open) {
    await hub.close();
    await backend.close();
  }
  open = [];
});

describe("hub.run on Postgres replicas", () => {
  it("turns of one conversation never overlap across replicas; the transcript alternates", async () => {
    const [a, b] = await replicas({ messages: { queue: { mode: "followup", cap: 100 } } }, `r${++schemas}`);
    const spans: Array<{ start: number; end: number }> = [];
    const agent = async (turn: RunTurn) => {
      const start = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 3));
      await turn.reply(`re: ${turn.text}`);
      spans.push({ start, end: performance.now() });
    };
    const runs = Array.from({ length: 20 }, (_, i) => ((i % 2 === 0 ? a : b) as Hub).run(message(i), agent));
    expect(statuses(await Promise.all(runs))).toEqual(Array(20).fill("done"));
    spans.sort((x, y) => x.start - y.start);
    for (let i = 1; i < spans.length; i++) expect(spans[i]?.start).toBeGreaterThanOrEqual(spans[i - 1]?.end as number);
    const lines = await transcript(a as Hub);
    expect(lines).toHaveLength(40);
    lines.forEach((line, i) => expect(line.startsWith(i % 2 === 0 ? "user: msg " : "assistant: re: msg ")).toBe(true));
  });

  it("interrupt reaches the turn running on the other replica", async () => {
    const [a, b] = await replicas({ messages: { queue: { mode: "interrupt" } } }, `r${++schemas}`);
    const started = gate();
    const first = (a as Hub).run(message(1), async (turn) => {
      started.open();
      await aborted(turn.signal);
      throw turn.signal.reason;
    });
    await started.promise;
    const second = await (b as Hub).run(message(2), (turn) => turn.reply("ok").then(() => undefined));
    expect(statuses([await first, second])).toEqual(["interrupted:interrupted", "done"]);
    expect(await transcript(b as Hub)).toEqual(["user: msg 1", "user: msg 2", "assistant: ok"]);
  });
});
