/**
 * `watch` on Postgres: LISTEN on "<schema>.changes" (triggers notify a key when its entry or
 * transcript changes, at commit), then per notified key: re-read the entry and the messages
 * past the last sequence seen. After every (re)connect the feed starts over from a fresh
 * baseline with `resync`; a consumer that falls behind by more than `maxQueued` gets one
 * `resync` instead of the backlog.
 */
import type { PoolClient } from "pg";
import type { Change, SessionEntry } from "../types.js";
import type { Ctx } from "./context.js";
import { parseMessageLine, type StoredMessage } from "../shared/transcript-format.js";

interface Seen {
  entry: string | null;
  sessionId: string | undefined;
  seq: number;
}

export interface FeedOptions {
  keys: Set<string> | undefined;
  maxQueued: number;
  signal: AbortSignal | undefined;
  /** Set when the backend closes. */
  closed: AbortSignal;
}

export async function* watchPostgres(ctx: Ctx, channel: string, options: FeedOptions): AsyncGenerator<Change> {
  const queue: Change[] = [];
  let wake: (() => void) | undefined;
  const push = (change: Change) => {
    if (queue.length >= options.maxQueued) queue.splice(0, queue.length, { type: "resync" });
    else queue.push(change);
    wake?.();
  };
  const stopped = () => options.signal?.aborted === true || options.closed.aborted;
  const onStop = () => wake?.();
  options.signal?.addEventListener("abort", onStop);
  options.closed.addEventListener("abort", onStop);
  const seen = new Map<string, Seen>();
  const dirty = new Set<string>();
  let client: PoolClient | undefined;
  let working = false;

  const readKey = async (key: string): Promise<void> => {
    const rows = await ctx.db.query<{ entry: string }>(`SELECT entry FROM ${ctx.schema}.sessions WHERE agent_id = $1 AND key = $2`, [ctx.agentId, key]);
    const text = rows[0]?.entry ?? null;
    const entry = text === null ? null : (JSON.parse(text) as SessionEntry);
    const before = seen.get(key) ?? { entry: null, sessionId: undefined, seq: 0 };
    const now: Seen = { ...before };
    if (before.sessionId !== undefined && entry !== null && entry.sessionId !== before.sessionId) {
      await readMessages(key, before.sessionId, before.seq); // the rest of the old session first
      now.seq = 0;
    }
    if (text !== before.entry) push({ type: "session", key, entry });
    now.entry = text;
    if (entry !== null) {
      now.sessionId = entry.sessionId;
      now.seq = await readMessages(key, entry.sessionId, now.seq);
    }
    seen.set(key, now);
  };
  const readMessages = async (key: string, sessionId: string, after: number): Promise<number> => {
    const rows = await ctx.db.query<{ seq: string; line: string }>(
      `SELECT seq, line FROM ${ctx.schema}.messages WHERE agent_id = $1 AND session_id = $2 AND seq > $3 AND archived_at IS NULL AND kind = 'message' ORDER BY seq`,
      [ctx.agentId, sessionId, after],
    );
    for (const row of rows) push({ type: "message", key, sessionId, message: parseMessageLine(row.line) as StoredMessage });
    return rows.length === 0 ? after : Number(rows[rows.length - 1]?.seq);
  };
  const drain = async () => {
    if (working) return;
    working = true;
    try {
      while (dirty.size > 0 && !stopped()) {
        const key = dirty.values().next().value as string;
        dirty.delete(key);
        await readKey(key);
      }
    } catch {
      dropConnection(); // the database went away: reconnect, then resync
    } finally {
      working = false;
    }
  };
  const onNotify = (message: { channel: string; payload?: string | undefined }) => {
    if (message.channel !== channel || message.payload === undefined) return;
    const [agentId, key] = JSON.parse(message.payload) as [string, string];
    if (agentId !== ctx.agentId || (options.keys !== undefined && !options.keys.has(key))) return;
    dirty.add(key);
    void drain();
  };
  const dropConnection = () => {
    if (client === undefined) return;
    client.off("notification", onNotify);
    client.release(true);
    client = undefined;
    wake?.();
  };
  /** LISTEN, then the baseline every later change is compared with; then `resync`. */
  const connect = async () => {
    const fresh = await ctx.db.pool.connect();
    fresh.on("error", dropConnection);
    fresh.on("notification", onNotify);
    client = fresh;
    await fresh.query(`LISTEN "${channel}"`);
    const rows = await ctx.db.query<{ key: string; entry: string; session_id: string; seq: string | null }>(
      `SELECT s.key, s.entry, s.session_id, (SELECT max(seq) FROM ${ctx.schema}.messages m WHERE m.agent_id = s.agent_id AND m.session_id = s.session_id) AS seq
       FROM ${ctx.schema}.sessions s WHERE s.agent_id = $1 AND ($2::text[] IS NULL OR s.key = ANY($2::text[]))`,
      [ctx.agentId, options.keys === undefined ? null : [...options.keys]],
    );
    seen.clear();
    for (const row of rows) seen.set(row.key, { entry: row.entry, sessionId: row.session_id, seq: Number(row.seq ?? 0) });
    queue.splice(0, queue.length, { type: "resync" });
  };

  try {
    while (!stopped()) {
      if (client === undefined) {
        try {
          await connect();
        } catch {
          dropConnection();
          await new Promise((resolve) => setTimeout(resolve, 500)); // the database is away: try again
          continue;
        }
      }
      const next = queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (queue.length > 0 || stopped() || client === undefined) resolve();
      });
      wake = undefined;
    }
  } finally {
    options.signal?.removeEventListener("abort", onStop);
    options.closed.removeEventListener("abort", onStop);
    dropConnection();
  }
}
