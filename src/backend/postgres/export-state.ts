/**
 * `exportStateDir`: the agent's sessions out of Postgres as a file state dir, in the file
 * backend's layout (`agents/<agent>/sessions/sessions.json`, one JSONL transcript per live
 * session, `gateways.json`), so that `openFileBackend` and clawdbot's tools (a plain
 * `JSON.parse` of sessions.json) read the same sessions and messages. Everything is read in
 * one snapshot; transcripts are written first and sessions.json last, each atomically.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { PoolClient } from "pg";
import { HubError, isErrnoCode } from "../../errors.js";
import { isPlainObject, type SessionEntry } from "../shared/entry.js";
import { ensureDir, writeFileAtomic } from "../file/fs/atomic.js";
import { GATEWAYS_FILE_NAME } from "../file/gateways/gateways.js";
import { resolveStorePath } from "../file/store/paths.js";
import { transcriptOf } from "../file/session-files.js";
import type { PostgresBackend } from "./backend.js";
import { openDb } from "./db.js";

const PAGE = 1000;

export interface ExportStateDirOptions {
  /** Write over a store that already holds sessions, transcripts or gateways. Default false: `E_STORE_EXISTS`. */
  force?: boolean | undefined;
}

export interface StateDirExportReport {
  /** The sessions.json written. */
  store: string;
  sessions: number;
  /** Transcript files written, and the lines (messages and other entries) in them. */
  transcripts: number;
  lines: number;
  gateways: number;
}

/** Whether `dir` holds anything, ENOENT meaning no. */
async function namesIn(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return [];
    throw new HubError("E_IO", `cannot read ${dir}: ${(error as Error).message}`, { cause: error, file: dir });
  }
}

/** Refuses a target whose sessions dir holds anything, or whose gateways.json exists. */
async function assertEmptyTarget(stateDir: string, sessionsDir: string): Promise<void> {
  const held = (await namesIn(sessionsDir)).length > 0 ? sessionsDir : (await namesIn(stateDir)).includes(GATEWAYS_FILE_NAME) ? path.join(stateDir, GATEWAYS_FILE_NAME) : undefined;
  if (held !== undefined) {
    throw new HubError("E_STORE_EXISTS", `${held} is not empty: exporting there would overwrite a store (pass force to write over it)`, { file: held });
  }
}

/** The header and lines of one live transcript, or undefined when the database has none. */
async function readTranscript(client: PoolClient, schema: string, agentId: string, sessionId: string): Promise<string[] | undefined> {
  const head = await client.query<{ header: string }>(`SELECT header FROM ${schema}.transcripts WHERE agent_id = $1 AND session_id = $2 AND archived_at IS NULL`, [agentId, sessionId]);
  const header = head.rows[0]?.header;
  if (header === undefined) return undefined;
  const lines = [header];
  for (let after = 0; ; ) {
    const { rows } = await client.query<{ seq: string; line: string }>(
      `SELECT seq, line FROM ${schema}.messages WHERE agent_id = $1 AND session_id = $2 AND archived_at IS NULL AND seq > $3 ORDER BY seq LIMIT $4`,
      [agentId, sessionId, after, PAGE],
    );
    for (const row of rows) lines.push(row.line);
    if (rows.length < PAGE) return lines;
    after = Number(rows[rows.length - 1]?.seq);
  }
}

/**
 * An entry for the new dir: an absolute `sessionFile` (clawdbot records them) names a file of
 * the old dir, so it is moved to the same file name in `sessionsDir`.
 */
function relocated(entry: SessionEntry, sessionsDir: string): SessionEntry {
  const file = entry.sessionFile;
  if (typeof file !== "string" || !path.isAbsolute(file)) return entry;
  return { ...entry, sessionFile: path.join(sessionsDir, path.basename(file)) };
}

/** Writes the transcripts of every entry's current and previous sessions; resolves with [files, lines]. */
async function writeTranscripts(client: PoolClient, backend: PostgresBackend, sessionsDir: string, entries: ReadonlyArray<readonly [string, SessionEntry]>): Promise<[number, number]> {
  const schema = `"${backend.schema}"`;
  let files = 0;
  let lines = 0;
  const written = new Set<string>();
  for (const [key, entry] of entries) {
    for (const sessionId of new Set([entry.sessionId, ...(entry.previousSessionIds ?? [])])) {
      const file = transcriptOf(sessionsDir, key, sessionId, entry);
      if (written.has(file)) continue;
      const text = await readTranscript(client, schema, backend.agentId, sessionId);
      if (text === undefined) continue;
      await ensureDir(path.dirname(file));
      await writeFileAtomic(file, `${text.join("\n")}\n`, { durable: true });
      written.add(file);
      files++;
      lines += text.length - 1;
    }
  }
  return [files, lines];
}

/** Reads the whole state of the agent, and the gateways, in one snapshot; `fn` writes it out. */
function inSnapshot<T>(backend: PostgresBackend, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  return openDb(backend.pool, backend.location).tx(fn, { begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" });
}

/**
 * Writes the sessions of `backend`'s agent to the file state dir `stateDir`: transcripts, the
 * gateways, then sessions.json. Rejects `E_STORE_EXISTS` when that agent's sessions directory
 * (or the dir's gateways.json) already holds anything, unless `force`.
 */
export async function exportStateDir(backend: PostgresBackend, stateDir: string, options: ExportStateDirOptions = {}): Promise<StateDirExportReport> {
  const dir = path.resolve(stateDir);
  const store = resolveStorePath({ stateDir: dir, agentId: backend.agentId });
  const sessionsDir = path.dirname(store);
  if (options.force !== true) await assertEmptyTarget(dir, sessionsDir);
  const schema = `"${backend.schema}"`;
  return inSnapshot(backend, async (client) => {
    const rows = await client.query<{ key: string; entry: string }>(`SELECT key, entry FROM ${schema}.sessions WHERE agent_id = $1 ORDER BY updated_at, key COLLATE "C"`, [backend.agentId]);
    const entries = rows.rows.map((row) => [row.key, relocated(JSON.parse(row.entry) as SessionEntry, sessionsDir)] as const);
    await ensureDir(sessionsDir);
    const [transcripts, lines] = await writeTranscripts(client, backend, sessionsDir, entries);
    const gateways = await client.query<{ gateway_id: string; record: string }>(`SELECT gateway_id, record FROM ${schema}.gateways ORDER BY gateway_id COLLATE "C"`);
    if (gateways.rows.length > 0) {
      const registry = Object.fromEntries(gateways.rows.map((row) => [row.gateway_id, JSON.parse(row.record) as unknown]));
      await writeFileAtomic(path.join(dir, GATEWAYS_FILE_NAME), JSON.stringify(registry, null, 2), { durable: true });
    }
    const sessions: Record<string, SessionEntry> = {};
    for (const [key, entry] of entries) if (isPlainObject(entry)) Object.defineProperty(sessions, key, { value: entry, enumerable: true, writable: true, configurable: true });
    await writeFileAtomic(store, JSON.stringify(sessions, null, 2), { durable: true });
    return { store, sessions: entries.length, transcripts, lines, gateways: gateways.rows.length };
  });
}
