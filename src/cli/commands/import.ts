/**
 * `hub import <stateDir> --database <url>`: copies a file state dir (the agent's
 * sessions.json, its transcripts, the gateways) into Postgres; safe to run again.
 */
import path from "node:path";
import { HubError } from "../../errors.js";
import { statOrUndefined } from "../../backend/file/fs/fs-util.js";
import { resolveStorePath } from "../../backend/file/store/paths.js";
import { resolveTarget, UsageError, type Command } from "../command.js";
import { printable, safeJson } from "../escape.js";

const USAGE = `Usage: hub import <stateDir> --database <url> [--agent <id>] [--json]

Copies the agent's sessions.json entries (default agent: main), the transcripts of each
entry's current and previous sessions (every line, byte for byte, with its id) and the
gateways of the file state dir <stateDir> into Postgres. Each session is one transaction.
Idempotent and resumable: an entry already in the database is kept as it is, a transcript
continues after the lines the database holds (a re-run copies only what the files gained),
and a transcript whose lines disagree with the database is left alone and counted as a
conflict (exit code 2).

Options:
  --database <url>   the database (default: env HUB_DATABASE_URL); its schema is created
                     or migrated as needed
  --json             print { "from", "to", "sessions": { "imported", "kept" },
                     "lines": { "imported", "conflicts" }, "gateways": { "imported" } }
  --agent, --state-dir, --config   which agent, config (see hub --help)
`;

export const importCommand: Command = {
  name: "import",
  usage: USAGE,
  positionals: true,
  options: { json: { type: "boolean" } },
  async run({ values, positionals, io }) {
    const [given] = positionals;
    if (given === undefined || positionals.length > 1) throw new UsageError("import takes exactly one <stateDir>");
    const target = await resolveTarget(values, io);
    const databaseUrl = target.databaseUrl;
    if (databaseUrl === undefined) throw new UsageError("import copies into Postgres: give --database <url> or set HUB_DATABASE_URL");
    const from = path.resolve(given);
    const store = resolveStorePath({ stateDir: from, agentId: target.agentId });
    if ((await statOrUndefined(store)) === undefined) throw new HubError("E_NOT_FOUND", `no session store at ${store}`, { file: store });
    const { openDatabase } = await import("../database.js");
    const { importFileState } = await import("../../backend/postgres/index.js");
    const backend = await openDatabase({ ...target, databaseUrl }, io, { readOnly: false });
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
