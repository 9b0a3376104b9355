/**
 * Transcripts in Postgres: one row per message with a gap-free per-session `seq`, the
 * parent chain, and the exact JSONL line (pi-coding-agent v3) it would have in a file. A
 * `transcripts` row per session holds the header line, the next `seq` and the last id; it is
 * the lock that orders appends to one session. Archiving marks the messages (`archived_at`);
 * the next append starts a new chain, as a new file would.
 */
import type { PoolClient } from "pg";
import { customAlphabet } from "nanoid";
import { HubError, describeValue } from "../../errors.js";
import { headerLine, messageLine, parseMessageLine, prepareMessage, type PreparedMessage } from "../shared/transcript-format.js";
import type { AppendMessageInput, MessagePage, MessageQuery, StoredMessage } from "../types.js";
import type { SessionEntry } from "../shared/entry.js";
import type { Ctx } from "./context.js";
import { named } from "./db.js";
import { entryUpsert } from "./entries.js";

type Query = Pick<PoolClient, "query">;

const newEntryId = customAlphabet("0123456789abcdef", 16);

/** Validates and serializes messages (`E_INVALID_ARGUMENT`), before any statement runs. */
export function prepareAll(messages: unknown, now: number): PreparedMessage[] {
  if (!Array.isArray(messages)) throw new HubError("E_INVALID_ARGUMENT", `messages must be an array of messages, got ${describeValue(messages)}`);
  return messages.map((message: AppendMessageInput) => prepareMessage(message, now));
}

/**
 * Appends prepared messages to session `sessionId` in the caller's transaction (which holds
 * the key's lock), and writes `entry` (the key's entry after the append) in the same
 * statement as the messages. Two statements in all. Resolves with the stored messages.
 */
export async function appendIn(
  client: Query,
  ctx: Ctx,
  key: string,
  sessionId: string,
  prepared: readonly PreparedMessage[],
  now: number,
  entry?: SessionEntry,
): Promise<StoredMessage[]> {
  if (prepared.length === 0) return [];
  // Creates the session's row or locks it; an archived transcript starts a new chain and header.
  const { rows } = await client.query<{ next_seq: string; last_id: string | null }>(
    named(
      `INSERT INTO ${ctx.schema}.transcripts AS t (agent_id, session_id, key, header) VALUES ($1, $2, $3, $4)
       ON CONFLICT (agent_id, session_id) DO UPDATE SET
         header = CASE WHEN t.archived_at IS NULL THEN t.header ELSE EXCLUDED.header END,
         last_id = CASE WHEN t.archived_at IS NULL THEN t.last_id END,
         archived_at = NULL
       RETURNING next_seq, last_id`,
      [ctx.agentId, sessionId, key, headerLine(sessionId, key, now)],
    ),
  );
  const row = rows[0] as { next_seq: string; last_id: string | null };
  let seq = Number(row.next_seq);
  let parentId = row.last_id;
  const stored: StoredMessage[] = [];
  const columns = { seq: [] as number[], id: [] as string[], parent: [] as Array<string | null>, at: [] as number[], thread: [] as Array<string | null>, line: [] as string[] };
  for (const message of prepared) {
    const body = message.body as Omit<StoredMessage, "id" | "parentId"> & Pick<StoredMessage, "timestamp" | "meta">;
    const id = newEntryId();
    columns.seq.push(seq++);
    columns.id.push(id);
    columns.parent.push(parentId);
    columns.at.push(body.timestamp);
    const threadId = body.meta?.threadId;
    columns.thread.push(threadId === undefined ? null : String(threadId));
    columns.line.push(messageLine(id, parentId, message));
    stored.push({ id, parentId, ...body } as StoredMessage);
    parentId = id;
  }
  // One round trip: the messages, the transcript's next seq and last id, and the entry.
  const write = entry === undefined ? undefined : entryUpsert(ctx, key, entry, 11);
  await client.query(
    named(
      `WITH m AS (INSERT INTO ${ctx.schema}.messages (agent_id, session_id, seq, id, parent_id, at, thread_id, line)
         SELECT $1, $2, * FROM unnest($3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[])),
       t AS (UPDATE ${ctx.schema}.transcripts SET next_seq = $9, last_id = $10 WHERE agent_id = $1 AND session_id = $2)
       ${write === undefined ? "" : `, s AS (${write.sql})`}
       SELECT 1`,
      [ctx.agentId, sessionId, columns.seq, columns.id, columns.parent, columns.at, columns.thread, columns.line, seq, parentId, ...(write?.params ?? [])],
    ),
  );
  return stored;
}

/** The time of the newest (last appended) live message of a session. */
export async function lastActivityOf(client: Query, ctx: Ctx, sessionId: string): Promise<number | undefined> {
  const { rows } = await client.query<{ at: string }>(
    `SELECT at FROM ${ctx.schema}.messages WHERE agent_id = $1 AND session_id = $2 AND archived_at IS NULL AND kind = 'message' ORDER BY seq DESC LIMIT 1`,
    [ctx.agentId, sessionId],
  );
  return rows[0] === undefined ? undefined : Number(rows[0].at);
}

/** Where an archived transcript went, for reports: `<location>#<sessionId>.jsonl.deleted.<time>`. */
function archiveName(ctx: Ctx, sessionId: string, at: number): string {
  return `${ctx.location}#${sessionId}.jsonl.deleted.${new Date(at).toISOString().replace(/[:.]/g, "-")}`;
}

/** Archives the live transcript of each session (`dryRun`: only says which would be). */
export async function archiveIn(client: Query, ctx: Ctx, sessionIds: readonly string[], at: number, dryRun = false): Promise<Map<string, string>> {
  const sql = dryRun
    ? `SELECT session_id FROM ${ctx.schema}.transcripts WHERE agent_id = $1 AND session_id = ANY($2::text[]) AND archived_at IS NULL AND $3::bigint IS NOT NULL`
    : `UPDATE ${ctx.schema}.transcripts SET archived_at = $3 WHERE agent_id = $1 AND session_id = ANY($2::text[]) AND archived_at IS NULL RETURNING session_id`;
  const { rows } = await client.query<{ session_id: string }>(sql, [ctx.agentId, [...sessionIds], at]);
  const archived = rows.map((row) => row.session_id);
  if (!dryRun && archived.length > 0) {
    await client.query(`UPDATE ${ctx.schema}.messages SET archived_at = $3 WHERE agent_id = $1 AND session_id = ANY($2::text[]) AND archived_at IS NULL`, [
      ctx.agentId,
      archived,
      at,
    ]);
  }
  return new Map(archived.map((id) => [id, archiveName(ctx, id, at)]));
}

// ---- reading pages ---------------------------------------------------------------------------

function encodeCursor(sessionId: string, seq: number): string {
  return Buffer.from(JSON.stringify({ s: sessionId, q: seq })).toString("base64url");
}

function decodeCursor(cursor: unknown, name: "before" | "after", sessionId: string): number {
  let data: { s?: unknown; q?: unknown } | undefined;
  try {
    data = typeof cursor === "string" ? (JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as typeof data) : undefined;
  } catch {
    data = undefined; // not a cursor of ours: reported below with the parameter's name
  }
  if (data === null || typeof data !== "object" || typeof data.s !== "string" || !Number.isSafeInteger(data.q) || (data.q as number) < 0) {
    throw new HubError("E_INVALID_ARGUMENT", `${name} must be a cursor returned by read, got ${describeValue(cursor)}`);
  }
  if (data.s !== sessionId) {
    throw new HubError("E_INVALID_ARGUMENT", `${name} is a cursor of session ${JSON.stringify(data.s)}, but the key now holds ${JSON.stringify(sessionId)} (was it reset?)`);
  }
  return data.q as number;
}

function assertQuery(query: unknown): asserts query is MessageQuery {
  if (query === null || typeof query !== "object") throw new HubError("E_INVALID_ARGUMENT", `options must be an object, got ${describeValue(query)}`);
  const { limit, before, after, threadId } = query as Record<string, unknown>;
  if (limit !== undefined && !(typeof limit === "number" && Number.isSafeInteger(limit) && limit > 0)) {
    throw new HubError("E_INVALID_ARGUMENT", `limit must be a positive integer, got ${describeValue(limit)}`);
  }
  if (before !== undefined && after !== undefined) throw new HubError("E_INVALID_ARGUMENT", "pass either before or after, not both");
  if (threadId !== undefined && typeof threadId !== "string" && typeof threadId !== "number") {
    throw new HubError("E_INVALID_ARGUMENT", `threadId must be a string or a number, got ${describeValue(threadId)}`);
  }
}

interface Row {
  seq: number;
  message: StoredMessage;
}

/** A page of session `sessionId`'s live transcript (the key's current session), as `read` defines it. */
export async function readPage(client: Query, ctx: Ctx, sessionId: string, query: MessageQuery): Promise<MessagePage> {
  assertQuery(query);
  const before = query.before === undefined ? undefined : decodeCursor(query.before, "before", sessionId);
  const after = query.after === undefined ? undefined : decodeCursor(query.after, "after", sessionId);
  const limit = query.limit ?? 50;
  const thread = query.threadId === undefined ? null : String(query.threadId);
  const where = `agent_id = $1 AND session_id = $2 AND archived_at IS NULL AND kind = 'message' AND ($3::text IS NULL OR thread_id = $3)`;
  const fetch = async (condition: string, order: "ASC" | "DESC", bound: number, count: number): Promise<Row[]> => {
    const { rows } = await client.query<{ seq: string; line: string }>(
      `SELECT seq, line FROM ${ctx.schema}.messages WHERE ${where} AND seq ${condition} $4 ORDER BY seq ${order} LIMIT $5`,
      [ctx.agentId, sessionId, thread, bound, count],
    );
    return rows.map((row) => ({ seq: Number(row.seq), message: parseMessageLine(row.line) as StoredMessage }));
  };
  const end = Number.MAX_SAFE_INTEGER;
  let page: Row[];
  let older: boolean;
  let newer: boolean;
  if (after === undefined) {
    const found = await fetch("<", "DESC", before ?? end, limit + 1);
    older = found.length > limit;
    page = found.slice(0, limit).reverse();
    newer = before !== undefined && (await fetch(">=", "ASC", before, 1)).length > 0;
  } else {
    const found = await fetch(">=", "ASC", after, limit + 1);
    newer = found.length > limit;
    page = found.slice(0, limit);
    older = (await fetch("<", "DESC", after, 1)).length > 0;
  }
  const result: MessagePage = { messages: page.map((row) => row.message) };
  const oldest = page[0];
  const newest = page[page.length - 1];
  if (older) result.before = encodeCursor(sessionId, oldest?.seq ?? after ?? 0);
  if (newer) result.after = encodeCursor(sessionId, newest === undefined ? (before ?? 0) : newest.seq + 1);
  result.tail = encodeCursor(sessionId, newest === undefined ? (after ?? before ?? (await nextSeq(client, ctx, sessionId))) : newest.seq + 1);
  return result;
}

async function nextSeq(client: Query, ctx: Ctx, sessionId: string): Promise<number> {
  const { rows } = await client.query<{ next_seq: string }>(`SELECT next_seq FROM ${ctx.schema}.transcripts WHERE agent_id = $1 AND session_id = $2`, [
    ctx.agentId,
    sessionId,
  ]);
  return rows[0] === undefined ? 1 : Number(rows[0].next_seq);
}
