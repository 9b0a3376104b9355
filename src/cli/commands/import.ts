/**
 * `hub import <stateDir> --database <url>`: copies a file state dir (the agent's
 * sessions.json, its transcripts, the gateways) into Postgres; safe to run again.
 */
import path from "node:path";
import { HubError } from "../../errors.js";
import { statOrUndefined } from "../../backend/file/fs/fs-util.js";
import { resolveStorePath } from "../../backend/file/store/paths.js";
import { positiveIntOption, resolveTarget, UsageError, type CliIo, type Command } from "../command.js";
import { stopSignal } from "../live.js";
import type { MirrorReport, PostgresBackend } from "../../backend/postgres/index.js";
import { oneLine, printable, safeJson } from "../escape.js";

const USAGE = `Usage: hub import <stateDir> --database <url> [--agent <id>] [--follow [--interval <ms>]] [--json]

Copies the agent's sessions.json entries (default agent: main), the transcripts of each
entry's current and previous sessions (every line, byte for byte, with its id) and the
gateways of the file state dir <stateDir> into Postgres. Each session is one transaction.
Idempotent and resumable: an entry already in the database is kept as it is, a transcript
continues after the lines the database holds (a re-run copies only what the files gained),
and a transcript whose lines disagree with the database is left alone and counted as a
conflict (exit code 2).

With --follow, keeps the database mirroring the live file store until SIGINT or SIGTERM
(exit 0): every <ms> (default 1000) entries added, changed (a newer updatedAt, a reset) or
removed in sessions.json are added, replaced or deleted in the database, and transcript lines
the database does not hold yet are appended (by position and id: never twice). The files stay
the truth. A follower killed at any point continues where it stopped when run again. One
line per pass that changed something.

Options:
  --database <url>   the database (default: env HUB_DATABASE_URL); its schema is created
                     or migrated as needed
  --follow           keep mirroring (see above)
  --interval <ms>    pause between passes of --follow (default 1000, at least 10)
  --json             print { "from", "to", "sessions": { "imported", "kept" },
                     "lines": { "imported", "conflicts" }, "gateways": { "imported" } }
  --agent, --state-dir, --config   which agent, config (see hub --help)
`;

/** `--follow`: mirror passes until stopped; one line per pass that changed something. */
async function follow(backend: PostgresBackend, from: string, interval: number | undefined, json: boolean, io: CliIo): Promise<number> {
  const { followFileState } = await import("../../backend/postgres/index.js");
  const { signal, release } = stopSignal(io);
  const onPass = (r: MirrorReport) =>
    io.stdout(
      json
        ? `${safeJson({ from, to: backend.location, ...r }, 0)}\n`
        : `mirrored ${printable(from)} into ${printable(backend.location)}: sessions ${r.sessions.imported} new, ${r.sessions.updated} updated, ${r.sessions.removed} removed; ` +
            `${r.lines.imported} transcript line(s)${r.lines.conflicts ? `, ${r.lines.conflicts} transcript(s) in conflict, left alone` : ""}; ${r.gateways.imported} gateway(s)\n`,
    );
  const onUnavailable = (error: Error) => io.stderr(`hub import: ${oneLine(error.message)}, retrying [E_BACKEND_UNAVAILABLE]\n`);
  try {
    await followFileState(backend, { stateDir: from, signal, onPass, onUnavailable, ...(interval === undefined ? {} : { intervalMs: interval }) });
  } finally {
    release();
    await backend.close();
  }
  return 0;
}

export const importCommand: Command = {
  name: "import",
  usage: USAGE,
  positionals: true,
  options: { json: { type: "boolean" }, follow: { type: "boolean" }, interval: { type: "string" } },
  async run({ values, positionals, io }) {
    const [given] = positionals;
    if (given === undefined || positionals.length > 1) throw new UsageError("import takes exactly one <stateDir>");
    const target = await resolveTarget(values, io);
    const databaseUrl = target.databaseUrl;
    if (databaseUrl === undefined) throw new UsageError("import copies into Postgres: give --database <url> or set HUB_DATABASE_URL");
    const interval = positiveIntOption(values, "interval");
    if (interval !== undefined && values.follow !== true) throw new UsageError("--interval is for --follow");
    if (interval !== undefined && interval < 10) throw new UsageError(`--interval must be at least 10 (ms), got ${interval}`);
    const from = path.resolve(given);
    const store = resolveStorePath({ stateDir: from, agentId: target.agentId });
    if ((await statOrUndefined(store)) === undefined) throw new HubError("E_NOT_FOUND", `no session store at ${store}`, { file: store });
    const { openDatabase } = await import("../database.js");
    const { importFileState } = await import("../../backend/postgres/index.js");
    const backend = await openDatabase({ ...target, databaseUrl }, io, { readOnly: false });
    if (values.follow === true) return follow(backend, from, interval, values.json === true, io);
    let report;
    try {
      report = await importFileState(backend, { stateDir: from });
    } finally {
      await backend.close();
    }
    if (values.json) io.stdout(`${safeJson({ from, to: backend.location, ...report })}\n`);
    else {
      const { sessions, lines, gateways } = report;
      io.stdout(
        `imported ${printable(from)} into ${printable(backend.location)}\n` +
          `  sessions: ${sessions.imported} imported, ${sessions.kept} already there\n` +
          `  transcript lines: ${lines.imported} imported${lines.conflicts ? `, ${lines.conflicts} transcript(s) in conflict, left alone` : ""}\n` +
          `  gateways: ${gateways.imported} imported\n`,
      );
    }
    return report.lines.conflicts > 0 ? 2 : 0;
  },
};
