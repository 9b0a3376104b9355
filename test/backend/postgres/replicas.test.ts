/**
 * Four real replica processes on one database, overlapping conversations, every message
 * delivered to two replicas, "/new" among them: each message is processed exactly once, each
 * "/new" resets once, and every transcript is one parent chain in sequence order.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { expect, it } from "vitest";
import { openPostgresBackend } from "../../../src/backend/postgres/index.js";
import { usePostgresDatabase } from "../../support/postgres.js";
import { REPO_ROOT, ensureDistBuilt } from "../../support.js";

const database = usePostgresDatabase("replicas");
const REPLICAS = 4;
const CONVERSATIONS = 12;
const MESSAGES = 15;

interface Delivery {
  key: string;
  messageId: string;
  text: string;
}

function plan(): Delivery[][] {
  const perReplica: Delivery[][] = Array.from({ length: REPLICAS }, () => []);
  for (let m = 0; m < MESSAGES; m++) {
    for (let c = 0; c < CONVERSATIONS; c++) {
      const reset = m > 0 && (m + c) % 6 === 0;
      const delivery = { key: `agent:main:telegram:dm:c${c}`, messageId: `c${c}-m${m}`, text: reset ? `/new c${c} m${m}` : `c${c} m${m}` };
      const first = (c * 7 + m) % REPLICAS;
      perReplica[first]?.push(delivery);
      perReplica[(first + 1 + (m % (REPLICAS - 1))) % REPLICAS]?.push(delivery); // the redelivery goes elsewhere
    }
  }
  return perReplica;
}

/** Every transcript of the schema: its messages' texts in sequence order, and whether they form one chain. */
async function transcripts(url: string, schema: string): Promise<Map<string, { texts: string[]; chained: boolean }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ session_id: string; seq: string; id: string; parent_id: string | null; line: string }>(
      `SELECT session_id, seq, id, parent_id, line FROM "${schema}".messages ORDER BY session_id, seq`,
    );
    const out = new Map<string, { texts: string[]; chained: boolean; last: string | null; seq: number }>();
    for (const row of rows) {
      const t = out.get(row.session_id) ?? { texts: [], chained: true, last: null, seq: 0 };
      t.chained &&= row.parent_id === t.last && Number(row.seq) === t.seq + 1;
      t.last = row.id;
      t.seq = Number(row.seq);
      t.texts.push((JSON.parse(row.line) as { message: { content: string } }).message.content);
      out.set(row.session_id, t);
    }
    return new Map([...out].map(([id, t]) => [id, { texts: t.texts, chained: t.chained }]));
  } finally {
    await client.end();
  }
}

it("four replica processes: exactly once, reset once per /new, one chain per transcript", async () => {
  await ensureDistBuilt();
  const url = database();
  const schema = "replicas";
  await (await openPostgresBackend({ connectionString: url, schema })).close();
  const child = path.join(REPO_ROOT, "test/backend/children/pg-replica.mjs");
  const outputs = await Promise.all(
    plan().map((deliveries) => promisify(execFile)(process.execPath, [child, url, schema, JSON.stringify(deliveries)], { maxBuffer: 1 << 24 })),
  );
  const processed = outputs.flatMap(({ stdout }) => (JSON.parse(stdout.trim()) as { processed: Array<{ messageId: string; value: string }> }).processed);
  expect(processed).toHaveLength(CONVERSATIONS * MESSAGES);
  expect(new Set(processed.map((p) => p.messageId)).size).toBe(CONVERSATIONS * MESSAGES);
  // Replicas see a conversation's messages out of order: a "/new" may come first and create it.
  const isNew = new Set(plan().flat().filter((d) => d.text.startsWith("/new")).map((d) => d.messageId));
  for (const p of processed) expect(isNew.has(p.messageId) ? ["new", "reset"] : ["new", "kept"]).toContain(p.value);
  expect(processed.filter((p) => p.value === "new")).toHaveLength(CONVERSATIONS);
  const resets = processed.filter((p) => p.value === "reset").length;

  const all = await transcripts(url, schema);
  expect([...all.values()].every((t) => t.chained)).toBe(true);
  const texts = [...all.values()].flatMap((t) => t.texts);
  expect(texts).toHaveLength(CONVERSATIONS * MESSAGES);
  expect(new Set(texts).size).toBe(CONVERSATIONS * MESSAGES);
  // One session per conversation plus one per /new; each /new opens its session.
  expect(all.size).toBe(CONVERSATIONS + resets);
  // Each "/new" opened its session, once: it never lands inside one.
  for (const t of all.values()) expect(t.texts.slice(1).some((text) => text.startsWith("/new"))).toBe(false);
  const backend = await openPostgresBackend({ connectionString: url, schema });
  try {
    for (let c = 0; c < CONVERSATIONS; c++) {
      const entry = await backend.get(`agent:main:telegram:dm:c${c}`);
      const sessions = [entry?.sessionId, ...((entry?.previousSessionIds as string[] | undefined) ?? [])];
      const held = sessions.flatMap((id) => all.get(id as string)?.texts ?? []);
      expect(held.sort()).toEqual(Array.from({ length: MESSAGES }, (_, m) => ((m > 0 && (m + c) % 6 === 0 ? "/new " : "") + `c${c} m${m}`)).sort());
    }
  } finally {
    await backend.close();
  }
});
