/**
 * `hub export <key> <file> --database <url>`: a session's transcript out of Postgres as the
 * pi-coding-agent v3 JSONL file the agent runtime reads. `hub export --state-dir <dir>`:
 * the agent's whole state (sessions.json, transcripts, gateways) as a file state dir.
 */
import path from "node:path";
import { resolveTarget, UsageError, type CliIo, type Command, type OptionValues } from "../command.js";
import { printable, safeJson } from "../escape.js";

const USAGE = `Usage: hub export <key> <file> --database <url> [--session <id>] [--json]
       hub export --state-dir <dir> --database <url> [--force] [--json]

Writes the transcript of a session (default: the key's current one) from Postgres to <file>
as a pi-coding-agent v3 JSONL file (the header, then every message line exactly as stored),
atomically: what SessionManager.open() of the agent runtime reads. Read-only on the database.

Without <key> and <file>, writes the agent's whole state to the file state dir <dir>, in the
file backend's layout: agents/<agent>/sessions/sessions.json, one transcript per live session
(current and previous), and gateways.json; read from one snapshot, transcripts first and
sessions.json last, each atomically. A dir whose agent sessions directory (or gateways.json)
already holds anything is refused [E_STORE_EXISTS] unless --force.

Options:
  --database <url>   the database (default: env HUB_DATABASE_URL)
  --session <id>     export this session of the key (a previous one) instead of the current
  --force            (state dir) write over an existing store
  --json             print { "key", "file", "messages" }; for a state dir
                     { "store", "sessions", "transcripts", "lines", "gateways" }
  --agent, --config, --schema   which agent, config, schema (see hub --help)
`;

/** `hub export --state-dir <dir>`: the whole state of the agent as a file state dir. */
async function exportDir(values: OptionValues, io: CliIo): Promise<number> {
  if (values.session !== undefined) throw new UsageError("--session names one transcript: give a <key> and a <file>");
  const target = await resolveTarget(values, io);
  const databaseUrl = target.databaseUrl;
  if (databaseUrl === undefined) throw new UsageError("export reads Postgres: give --database <url> or set HUB_DATABASE_URL");
  const { openDatabase } = await import("../database.js");
  const { exportStateDir } = await import("../../backend/postgres/index.js");
  const backend = await openDatabase({ ...target, databaseUrl }, io, { readOnly: true });
  let report;
  try {
    report = await exportStateDir(backend, target.stateDir, { force: values.force === true });
  } finally {
    await backend.close();
  }
  const { store, sessions, transcripts, lines, gateways } = report;
  io.stdout(
    values.json
      ? `${safeJson(report)}\n`
      : `exported ${sessions} session(s), ${transcripts} transcript(s) (${lines} lines) and ${gateways} gateway(s) to ${printable(store)}\n`,
  );
  return 0;
}

export const exportCommand: Command = {
  name: "export",
  usage: USAGE,
  positionals: true,
  options: { session: { type: "string" }, force: { type: "boolean" }, json: { type: "boolean" } },
  async run({ values, positionals, io }) {
    if (positionals.length === 0 && values["state-dir"] !== undefined) return exportDir(values, io);
    if (values.force !== undefined) throw new UsageError("--force is for a state dir export (hub export --state-dir <dir>)");
    const [key, given] = positionals;
    if (key === undefined || given === undefined || positionals.length > 2) throw new UsageError("export takes a <key> and a <file>");
    const target = await resolveTarget(values, io);
    const databaseUrl = target.databaseUrl;
    if (databaseUrl === undefined) throw new UsageError("export reads Postgres (a file store's transcript is already a JSONL file): give --database <url> or set HUB_DATABASE_URL");
    const file = path.resolve(given);
    const { openDatabase } = await import("../database.js");
    const { exportTranscript } = await import("../../backend/postgres/index.js");
    const backend = await openDatabase({ ...target, databaseUrl }, io, { readOnly: true });
    let messages: number;
    try {
      messages = await exportTranscript(backend, key, file, { sessionId: values.session as string | undefined });
    } finally {
      await backend.close();
    }
    io.stdout(values.json ? `${safeJson({ key, file, messages })}\n` : `exported ${messages} message(s) of ${printable(key)} to ${printable(file)}\n`);
    return 0;
  },
};
