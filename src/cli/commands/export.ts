/**
 * `hub export <key> <file> --database <url>`: a session's transcript out of Postgres as the
 * pi-coding-agent v3 JSONL file the agent runtime reads.
 */
import path from "node:path";
import { resolveTarget, UsageError, type Command } from "../command.js";
import { printable, safeJson } from "../escape.js";

const USAGE = `Usage: hub export <key> <file> --database <url> [--session <id>] [--json]

Writes the transcript of a session (default: the key's current one) from Postgres to <file>
as a pi-coding-agent v3 JSONL file (the header, then every message line exactly as stored),
atomically: what SessionManager.open() of the agent runtime reads. Read-only on the database.

Options:
  --database <url>   the database (default: env HUB_DATABASE_URL)
  --session <id>     export this session of the key (a previous one) instead of the current
  --json             print { "key", "file", "messages" }
  --agent, --state-dir, --config   which agent, config (see hub --help)
`;

export const exportCommand: Command = {
  name: "export",
  usage: USAGE,
  positionals: true,
  options: { session: { type: "string" }, json: { type: "boolean" } },
  async run({ values, positionals, io }) {
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
