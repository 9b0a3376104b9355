/**
 * `hub prune`: session maintenance (SPEC 4.5) with the config's `session.maintenance`.
 */
import type { PruneReport } from "../../lifecycle/maintenance.js";
import { printable, safeJson } from "../escape.js";
import { assertStoreExists, openTargetBackend, resolveTarget, type Command } from "../command.js";

const USAGE = `Usage: hub prune [--dry-run] [--json]

Removes sessions idle longer than session.maintenance.pruneAfter (default 30d; cron:/hook:
sessions machinePruneAfter, default 7d) and caps the store at maxEntries (default 500, newest
kept). The agent's main session is never removed. Transcripts of removed sessions are archived
as <file>.deleted.<timestamp>; temp files older than 5 minutes and archives older than
archiveRetention (default 30d) are deleted.

Options:
  --dry-run   report what would happen, change nothing
  --json      print the report as JSON
  --store, --agent, --state-dir, --config, --database   which store (see hub --help)
`;

function summary(report: PruneReport): string {
  const verb = report.dryRun ? "would remove" : "removed";
  const lines = [`${verb} ${report.removed.length} session${report.removed.length === 1 ? "" : "s"}, ${report.kept} kept`];
  for (const session of report.removed) {
    lines.push(`  ${printable(session.key)} (${session.reason})${session.archived.length ? `: ${session.archived.length} transcript(s) archived` : ""}`);
  }
  if (report.tempFilesRemoved.length) lines.push(`${verb} ${report.tempFilesRemoved.length} leftover temp file(s)`);
  if (report.archivesRemoved.length) lines.push(`${verb} ${report.archivesRemoved.length} expired archive(s)`);
  return `${lines.join("\n")}\n`;
}

export const pruneCommand: Command = {
  name: "prune",
  usage: USAGE,
  options: { "dry-run": { type: "boolean" }, json: { type: "boolean" } },
  async run({ values, io }) {
    const target = await resolveTarget(values, io);
    await assertStoreExists(target);
    const dryRun = values["dry-run"] === true;
    const backend = await openTargetBackend(target, io, { readOnly: dryRun });
    const session = target.config.session ?? {};
    let report: PruneReport;
    try {
      report = await backend.prune({ ...session.maintenance, mainKey: session.mainKey, dryRun });
    } finally {
      await backend.close();
    }
    io.stdout(values.json ? `${safeJson(report)}\n` : summary(report));
    return 0;
  },
};
