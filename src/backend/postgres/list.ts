/** `list(query)` on Postgres: the filters and order of `query.ts`, in SQL, with the matching total. */
import { normalizeChannel } from "../../keys/index.js";
import type { SessionEntry, SessionPage, SessionQuery } from "../types.js";
import type { Ctx } from "./context.js";

export async function listSessions(ctx: Ctx, query: SessionQuery): Promise<SessionPage> {
  const channel = query.channel === undefined ? null : normalizeChannel(query.channel);
  const since = query.activeWithinMs === undefined ? null : (query.now ?? ctx.now()) - query.activeWithinMs;
  // Ties by key in byte order ("C"), as `compareRows` orders them.
  const rows = await ctx.db.query<{ key: string; entry: string; total: string }>(
    `SELECT key, entry, count(*) OVER () AS total FROM ${ctx.schema}.sessions
     WHERE agent_id = $1 AND ($2::text IS NULL OR channel = $2) AND ($3::text IS NULL OR chat_type = $3) AND ($4::bigint IS NULL OR updated_at >= $4)
     ORDER BY updated_at DESC, key COLLATE "C" LIMIT $5 OFFSET $6`,
    [ctx.agentId, channel, query.chatType ?? null, since, query.limit ?? null, query.offset ?? 0],
  );
  let total = Number(rows[0]?.total ?? 0);
  if (rows.length === 0 && (query.offset ?? 0) > 0) {
    // Past the last page the window has no row to count on.
    const counted = await ctx.db.query<{ total: string }>(
      `SELECT count(*) AS total FROM ${ctx.schema}.sessions WHERE agent_id = $1 AND ($2::text IS NULL OR channel = $2) AND ($3::text IS NULL OR chat_type = $3) AND ($4::bigint IS NULL OR updated_at >= $4)`,
      [ctx.agentId, channel, query.chatType ?? null, since],
    );
    total = Number(counted[0]?.total ?? 0);
  }
  return { sessions: rows.map((row) => ({ key: row.key, entry: JSON.parse(row.entry) as SessionEntry })), total };
}
