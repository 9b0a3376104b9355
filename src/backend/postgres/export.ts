/**
 * `exportTranscript`: a session's transcript out of Postgres as the pi-coding-agent v3 JSONL
 * file the agent runtime reads (`SessionManager.open`): the header line, then every live
 * message line exactly as stored, in sequence order. Written atomically (temp file, rename).
 */
import { HubError } from "../../errors.js";
import { writeFileAtomic } from "../file/fs/atomic.js";
import { assertSessionIdArgument } from "../file/session-files.js";
import { keyList } from "../shared/arguments.js";
import type { PostgresBackend } from "./backend.js";

const PAGE = 1000;

export interface ExportTranscriptOptions {
  /** The session to export. Default: the key's current session. */
  sessionId?: string | undefined;
}

/**
 * Writes the transcript of `key`'s session to `file`; resolves with the number of messages
 * written. Rejects `E_NOT_FOUND` when the key has no entry (and no `sessionId` was given) or
 * the session has no transcript.
 */
export async function exportTranscript(backend: PostgresBackend, key: string, file: string, options: ExportTranscriptOptions = {}): Promise<number> {
  keyList(key);
  const sessionId = options.sessionId ?? (await backend.get(key))?.sessionId;
  if (sessionId === undefined) throw new HubError("E_NOT_FOUND", `no session "${key}" in ${backend.location}`);
  assertSessionIdArgument(sessionId);
  const schema = `"${backend.schema}"`;
  const head = await backend.pool.query<{ header: string }>(
    `SELECT header FROM ${schema}.transcripts WHERE agent_id = $1 AND session_id = $2 AND archived_at IS NULL`,
    [backend.agentId, sessionId],
  );
  const header = head.rows[0]?.header;
  if (header === undefined) throw new HubError("E_NOT_FOUND", `session ${JSON.stringify(sessionId)} of "${key}" has no transcript in ${backend.location}`);
  const lines = [header];
  for (let after = 0; ; ) {
    const { rows } = await backend.pool.query<{ seq: string; line: string }>(
      `SELECT seq, line FROM ${schema}.messages WHERE agent_id = $1 AND session_id = $2 AND archived_at IS NULL AND seq > $3 ORDER BY seq LIMIT $4`,
      [backend.agentId, sessionId, after, PAGE],
    );
    for (const row of rows) lines.push(row.line);
    if (rows.length < PAGE) break;
    after = Number(rows[rows.length - 1]?.seq);
  }
  await writeFileAtomic(file, `${lines.join("\n")}\n`, { durable: true });
  return lines.length - 1;
}
