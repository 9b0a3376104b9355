/**
 * A Postgres restart in the middle of load, on a cluster of this file's own (the shared one
 * must stay up): calls during the outage reject with E_BACKEND_UNAVAILABLE, the backend works
 * again once the server is back without being reopened, and after redelivering what failed,
 * every message is in its transcript exactly once, each transcript one chain.
 */
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openPostgresBackend, type PostgresBackend } from "../../../src/backend/postgres/index.js";
import { HubError } from "../../../src/errors.js";
import { startCluster, type Cluster } from "../../support/postgres-cluster.mjs";

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster?.destroy();
});

const CONVERSATIONS = 8;
const MESSAGES = 40;

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it("survives a restart mid-load: outage calls fail E_BACKEND_UNAVAILABLE, nothing acknowledged is lost or duplicated", async () => {
  const url = await cluster.createDatabase("restart");
  const backend: PostgresBackend = await openPostgresBackend({ connectionString: url, schema: "r" });
  const acknowledged = new Set<string>();
  const codes = new Set<string>();
  let failures = 0;
  let done = 0;
  const deliver = async (key: string, text: string): Promise<void> => {
    for (;;) {
      try {
        const result = await backend.turn({
          key,
          claim: { identity: { channel: "telegram", peerId: key, messageId: text } },
          decide: (current) => (current === undefined ? { entry: { sessionId: `s-${key.slice(-2)}`, updatedAt: Date.now() }, value: 0 } : { value: 0 }),
          messages: [{ role: "user", content: text }],
        });
        if (!result.duplicate) acknowledged.add(text);
        return;
      } catch (error) {
        failures++;
        codes.add(error instanceof HubError ? error.code : String(error));
        await new Promise((resolve) => setTimeout(resolve, 50)); // the channel redelivers
      }
    }
  };
  const conversations = Array.from({ length: CONVERSATIONS }, async (_, c) => {
    for (let m = 0; m < MESSAGES; m++) {
      await deliver(`agent:main:telegram:dm:c${c}`, `c${c} m${m}`);
      done++;
    }
  });
  await waitFor(() => done >= (CONVERSATIONS * MESSAGES) / 4, "a quarter of the load");
  await cluster.stop("fast");
  await waitFor(() => failures > 0, "a call failing during the outage");
  let outage: unknown;
  await backend.get("agent:main:telegram:dm:c0").catch((error: unknown) => (outage = error));
  expect(outage).toBeInstanceOf(HubError);
  expect((outage as HubError).code).toBe("E_BACKEND_UNAVAILABLE");
  expect((outage as HubError).cause).toBeDefined();
  await cluster.start();
  await Promise.all(conversations);
  expect([...codes]).toEqual(["E_BACKEND_UNAVAILABLE"]);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ session_id: string; seq: string; id: string; parent_id: string | null; line: string }>(
    "SELECT session_id, seq, id, parent_id, line FROM r.messages ORDER BY session_id, seq",
  );
  await client.end();
  const texts = rows.map((row) => (JSON.parse(row.line) as { message: { content: string } }).message.content);
  expect(texts).toHaveLength(CONVERSATIONS * MESSAGES);
  expect(new Set(texts).size).toBe(CONVERSATIONS * MESSAGES);
  for (const text of acknowledged) expect(texts).toContain(text);
  rows.forEach((row, i) => {
    const previous = rows[i - 1];
    const first = previous === undefined || previous.session_id !== row.session_id;
    expect(row.parent_id).toBe(first ? null : previous.id);
    expect(Number(row.seq)).toBe(first ? 1 : Number(previous.seq) + 1);
  });
  // In order within each conversation, as each was delivered one after the other.
  for (let c = 0; c < CONVERSATIONS; c++) {
    expect(texts.filter((t) => t.startsWith(`c${c} `))).toEqual(Array.from({ length: MESSAGES }, (_, m) => `c${c} m${m}`));
  }
  await backend.close();
});

it("watch: after a restart the feed reconnects, says resync, and reports later changes, also from another replica", async () => {
  const url = await cluster.createDatabase("feed");
  const backend = await openPostgresBackend({ connectionString: url, schema: "f" });
  const replica = await openPostgresBackend({ connectionString: url, schema: "f" });
  const changes: Array<{ type: string; content?: unknown }> = [];
  const controller = new AbortController();
  const done = (async () => {
    for await (const change of backend.watch({ signal: controller.signal })) {
      changes.push(change.type === "message" ? { type: "message", content: change.message.content } : { type: change.type });
    }
  })();
  const resyncs = () => changes.filter((c) => c.type === "resync").length;
  await waitFor(() => resyncs() === 1, "the first resync");
  await replica.append("agent:main:telegram:dm:1", "s-1", [{ role: "user", content: "before" }]);
  await waitFor(() => changes.some((c) => c.content === "before"), "the message before the restart");
  await cluster.stop("fast");
  await cluster.start();
  await waitFor(() => resyncs() === 2, "a resync after the reconnect");
  const retry = async () => {
    for (;;) {
      try {
        return await replica.append("agent:main:telegram:dm:1", "s-1", [{ role: "user", content: "after" }]);
      } catch (error) {
        if (!(error instanceof HubError && error.code === "E_BACKEND_UNAVAILABLE")) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  await retry();
  await waitFor(() => changes.some((c) => c.content === "after"), "the message after the restart");
  controller.abort();
  await done;
  await Promise.all([backend.close(), replica.close()]);
});
