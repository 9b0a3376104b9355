/**
 * `followFileState`: keeps a Postgres database mirroring a live file state dir (SPEC 11: the
 * JSONL files stay the truth). Each pass makes the database's entries equal to sessions.json
 * (new ones added, changed ones replaced, removed ones deleted with their transcripts
 * archived) and appends the transcript lines it does not hold yet, one transaction per
 * session, keyed by the line's position and id, so a pass is idempotent. The database is the
 * checkpoint: a follower killed at any point continues where the last commit left it.
 */
import fs from "node:fs/promises";
import { HubError, isErrnoCode } from "../../errors.js";
import type { SessionEntry } from "../shared/entry.js";
import { openGatewayRegistry } from "../file/gateways/gateways.js";
import { resolveStateDir } from "../file/store/paths.js";
import { openFileBackend, type FileBackend } from "../file/index.js";
import { transcriptOf } from "../file/session-files.js";
import type { Ctx } from "./context.js";
import { lockKeys, readEntries, writeEntry } from "./entries.js";
import { contextOf, importTranscript } from "./import.js";
import { deleteIn } from "./maintenance.js";
import type { PostgresBackend } from "./backend.js";

export interface MirrorReport {
  /** Entries added, replaced by the file's newer version, and deleted (gone from sessions.json). */
  sessions: { imported: number; updated: number; removed: number };
  lines: { imported: number; conflicts: number };
  gateways: { imported: number };
}

export interface FollowOptions {
  /** The file state dir. Default: env `HUB_STATE_DIR`, else `~/.hub`. */
  stateDir?: string | undefined;
  /** Pause between passes, ms. Default 1000; at least 10. */
  intervalMs?: number | undefined;
  /** Ends the loop (after the pass in flight commits). */
  signal?: AbortSignal | undefined;
  /** Called after every pass (the first one always, later ones when they changed something). */
  onPass?: ((report: MirrorReport) => void) | undefined;
  /** Called when a pass fails because the database is unreachable; the next pass retries. */
  onUnavailable?: ((error: HubError) => void) | undefined;
}

/** The identity of a transcript file as last imported (size, mtime, inode), per path. */
type Seen = Map<string, string>;

const sessionIdsOf = (entry: SessionEntry) => new Set([entry.sessionId, ...(entry.previousSessionIds ?? [])]);

async function signature(file: string): Promise<string> {
  try {
    const st = await fs.stat(file, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}`;
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return "absent";
    throw new HubError("E_IO", `cannot stat transcript ${file}: ${(error as Error).message}`, { cause: error, file });
  }
}

const changed = (): MirrorReport => ({ sessions: { imported: 0, updated: 0, removed: 0 }, lines: { imported: 0, conflicts: 0 }, gateways: { imported: 0 } });
const isEmpty = (r: MirrorReport) => r.sessions.imported + r.sessions.updated + r.sessions.removed + r.lines.imported + r.lines.conflicts + r.gateways.imported === 0;

/** One session in one transaction: the entry made equal to the file's, then its transcripts' new lines. */
async function mirrorSession(ctx: Ctx, dir: string, key: string, entry: SessionEntry, report: MirrorReport): Promise<void> {
  await ctx.db.tx(async (client) => {
    await lockKeys(client, ctx, [key]);
    const current = (await readEntries(client, ctx, [key])).get(key);
    if (current === undefined || JSON.stringify(current) !== JSON.stringify(entry)) {
      await writeEntry(client, ctx, key, entry);
      report.sessions[current === undefined ? "imported" : "updated"]++;
    }
    for (const sessionId of sessionIdsOf(entry)) {
      const copied = await importTranscript(client, ctx, key, sessionId, transcriptOf(dir, key, sessionId, entry));
      if (copied < 0) report.lines.conflicts++; // reported once: the file is not read again until it changes
      else report.lines.imported += copied;
    }
  });
}

/** The gateways of the state dir, inserted or replaced when the file's record differs. */
async function mirrorGateways(ctx: Ctx, stateDir: string, now: () => number): Promise<number> {
  let count = 0;
  for (const gateway of await openGatewayRegistry(stateDir, now, false).list()) {
    const rows = await ctx.db.query(
      `INSERT INTO ${ctx.schema}.gateways (gateway_id, registered_at, record) VALUES ($1, $2, $3)
       ON CONFLICT (gateway_id) DO UPDATE SET registered_at = EXCLUDED.registered_at, record = EXCLUDED.record WHERE gateways.record IS DISTINCT FROM EXCLUDED.record RETURNING 1`,
      [gateway.gatewayId, gateway.registeredAt, JSON.stringify(gateway)],
    );
    count += rows.length;
  }
  return count;
}

/** One pass over the file state: what it changed in the database. `seen` skips transcripts unchanged since the last pass. */
export async function mirrorOnce(backend: PostgresBackend, files: FileBackend, stateDir: string, seen: Seen = new Map()): Promise<MirrorReport> {
  const ctx = contextOf(backend);
  const report = changed();
  const fileEntries = (await files.list()).sessions;
  const stored = new Map((await ctx.db.query<{ key: string; entry: string }>(`SELECT key, entry FROM ${ctx.schema}.sessions WHERE agent_id = $1`, [ctx.agentId])).map((row) => [row.key, row.entry]));
  for (const { key, entry } of fileEntries) {
    const signatures = new Map<string, string>();
    for (const sessionId of sessionIdsOf(entry)) {
      const file = transcriptOf(files.dir, key, sessionId, entry);
      signatures.set(file, await signature(file));
    }
    const same = stored.get(key) === JSON.stringify(entry) && [...signatures].every(([file, sig]) => seen.get(file) === sig);
    if (same) continue;
    await mirrorSession(ctx, files.dir, key, entry, report);
    for (const [file, sig] of signatures) seen.set(file, sig);
  }
  const live = new Set(fileEntries.map(({ key }) => key));
  const gone = [...stored.keys()].filter((key) => !live.has(key));
  if (gone.length > 0) report.sessions.removed += (await ctx.db.tx((client) => deleteIn(client, ctx, gone, false))).length;
  report.gateways.imported = await mirrorGateways(ctx, stateDir, backend.now);
  return report;
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Mirrors the file state of `backend`'s agent from `stateDir` into the database until
 * `signal` aborts: a pass, a pause of `intervalMs`, again. A pass that cannot reach the
 * database is reported to `onUnavailable` and retried; any other failure rejects.
 */
export async function followFileState(backend: PostgresBackend, options: FollowOptions = {}): Promise<void> {
  const intervalMs = options.intervalMs ?? 1000;
  if (!Number.isSafeInteger(intervalMs) || intervalMs < 10) throw new HubError("E_INVALID_ARGUMENT", `intervalMs must be an integer >= 10, got ${String(intervalMs)}`);
  const stateDir = resolveStateDir(options.stateDir);
  const files = openFileBackend({ stateDir, agentId: backend.agentId, readOnly: true, durable: false, cacheTtlMs: 0 });
  const seen: Seen = new Map();
  try {
    for (let first = true; options.signal?.aborted !== true; first = false) {
      try {
        const report = await mirrorOnce(backend, files, stateDir, seen);
        if (first || !isEmpty(report)) options.onPass?.(report);
      } catch (error) {
        if (!(error instanceof HubError && error.code === "E_BACKEND_UNAVAILABLE" && options.onUnavailable)) throw error;
        options.onUnavailable(error);
      }
      await pause(intervalMs, options.signal);
    }
  } finally {
    await files.close();
  }
}
