/**
 * `importFileState`: copies a file state dir (an agent's sessions.json, its transcripts, the
 * gateways) into Postgres, keeping session ids, entry ids and the exact transcript lines.
 * Idempotent and resumable: each session is one transaction; an entry already in the
 * database is left alone, and a transcript continues after the lines it already holds.
 */
import fs from "node:fs/promises";
import { HubError, isErrnoCode } from "../../errors.js";
import type { SessionEntry } from "../shared/entry.js";
import { openGatewayRegistry } from "../file/gateways/gateways.js";
import { resolveStateDir } from "../file/store/paths.js";
import { openFileBackend } from "../file/index.js";
import { transcriptOf } from "../file/session-files.js";
import type { Ctx } from "./context.js";
import { openDb, type PoolClient } from "./db.js";
import { lockKeys, readEntries, writeEntry } from "./entries.js";
import type { PostgresBackend } from "./backend.js";

export interface ImportReport {
  /** Entries copied, and entries left alone (already there, or another session there). */
  sessions: { imported: number; kept: number };
  /** Transcript lines copied (messages and other entries), and transcripts that disagree with the database (left alone). */
  lines: { imported: number; conflicts: number };
  gateways: { imported: number };
}

interface Line {
  id: string;
  parentId: string | null;
  kind: string;
  at: number;
  threadId: string | null;
  text: string;
}

/** The header and the chained entries of a transcript file (torn and malformed lines skipped); undefined when absent. */
async function readTranscript(file: string): Promise<{ header: string | undefined; lines: Line[] } | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return undefined;
    throw new HubError("E_IO", `cannot read transcript ${file}: ${(error as Error).message}`, { cause: error, file });
  }
  const raw = text.split("\n").slice(0, -1); // the part after the last newline is torn (or empty)
  let header: string | undefined;
  const lines: Line[] = [];
  for (const line of raw) {
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // a malformed line is not part of the chain, as readers see it
    }
    if (value === null || typeof value !== "object") continue;
    if (value.type === "session") header ??= line;
    else if (typeof value.id === "string") {
      const message = (value.message ?? {}) as { timestamp?: unknown };
      const meta = (value.meta ?? {}) as { threadId?: unknown };
      const at = typeof message.timestamp === "number" ? message.timestamp : Date.parse(String(value.timestamp)) || 0;
      const threadId = typeof meta.threadId === "string" || typeof meta.threadId === "number" ? String(meta.threadId) : null;
      lines.push({ id: value.id, parentId: typeof value.parentId === "string" ? value.parentId : null, kind: String(value.type), at, threadId, text: line });
    }
  }
  return { header, lines };
}

/** Copies the lines of one transcript the database does not hold yet; resolves with how many, or -1 on a conflict. */
export async function importTranscript(client: PoolClient, ctx: Ctx, key: string, sessionId: string, file: string): Promise<number> {
  const read = await readTranscript(file);
  // Absent, or just created and its header not complete yet: nothing to copy (a later run will).
  if (read === undefined || (read.header === undefined && read.lines.length === 0)) return 0;
  const header = read.header ?? JSON.stringify({ type: "session", version: 3, id: sessionId, timestamp: new Date(ctx.now()).toISOString(), cwd: "", sessionKey: key });
  await client.query(`INSERT INTO ${ctx.schema}.transcripts (agent_id, session_id, key, header) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
    ctx.agentId,
    sessionId,
    key,
    header,
  ]);
  const { rows } = await client.query<{ next_seq: string; last_id: string | null }>(
    `SELECT next_seq, last_id FROM ${ctx.schema}.transcripts WHERE agent_id = $1 AND session_id = $2 FOR UPDATE`,
    [ctx.agentId, sessionId],
  );
  const held = Number(rows[0]?.next_seq ?? 1) - 1;
  if (held > read.lines.length || (held > 0 && read.lines[held - 1]?.id !== rows[0]?.last_id)) return -1;
  const fresh = read.lines.slice(held);
  if (fresh.length === 0) return 0;
  await client.query(
    `INSERT INTO ${ctx.schema}.messages (agent_id, session_id, seq, id, parent_id, at, thread_id, line, kind)
     SELECT $1, $2, * FROM unnest($3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[])`,
    [ctx.agentId, sessionId, fresh.map((_, i) => held + 1 + i), fresh.map((l) => l.id), fresh.map((l) => l.parentId), fresh.map((l) => l.at), fresh.map((l) => l.threadId), fresh.map((l) => l.text), fresh.map((l) => l.kind)],
  );
  await client.query(`UPDATE ${ctx.schema}.transcripts SET next_seq = $3, last_id = $4 WHERE agent_id = $1 AND session_id = $2`, [
    ctx.agentId,
    sessionId,
    held + fresh.length + 1,
    fresh[fresh.length - 1]?.id ?? null,
  ]);
  return fresh.length;
}

/** The query context of `backend` for the importers. */
export function contextOf(backend: PostgresBackend): Ctx {
  return { db: openDb(backend.pool, backend.location), schema: `"${backend.schema}"`, agentId: backend.agentId, now: backend.now, location: backend.location };
}

/**
 * Imports the file state of `backend`'s agent from `stateDir` (default env `HUB_STATE_DIR`,
 * else `~/.hub`): every entry of its sessions.json, the transcripts of each entry's current
 * and previous sessions, and the gateways. Safe to run again, or after an interruption.
 */
export async function importFileState(backend: PostgresBackend, options: { stateDir?: string | undefined } = {}): Promise<ImportReport> {
  const stateDir = resolveStateDir(options.stateDir);
  const files = openFileBackend({ stateDir, agentId: backend.agentId, readOnly: true, durable: false });
  const ctx = contextOf(backend);
  const report: ImportReport = { sessions: { imported: 0, kept: 0 }, lines: { imported: 0, conflicts: 0 }, gateways: { imported: 0 } };
  try {
    for (const { key, entry } of (await files.list()).sessions) {
      await ctx.db.tx(async (client) => {
        await lockKeys(client, ctx, [key]);
        const current = (await readEntries(client, ctx, [key])).get(key);
        if (current === undefined) await writeEntry(client, ctx, key, entry);
        report.sessions[current === undefined ? "imported" : "kept"]++;
        for (const sessionId of new Set([entry.sessionId, ...((entry as SessionEntry).previousSessionIds ?? [])])) {
          const copied = await importTranscript(client, ctx, key, sessionId, transcriptOf(files.dir, key, sessionId, entry));
          if (copied < 0) report.lines.conflicts++;
          else report.lines.imported += copied;
        }
      });
    }
    for (const gateway of await openGatewayRegistry(stateDir, backend.now, false).list()) {
      const rows = await ctx.db.query(`INSERT INTO ${ctx.schema}.gateways (gateway_id, registered_at, record) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`, [
        gateway.gatewayId,
        gateway.registeredAt,
        JSON.stringify(gateway),
      ]);
      report.gateways.imported += rows.length;
    }
  } finally {
    await files.close();
  }
  return report;
}
