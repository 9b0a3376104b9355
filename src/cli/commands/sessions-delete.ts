/**
 * `hub sessions delete <key...>` and its explicit alias `hub sessions reset <key...>`: the
 * entries are removed, so the next message to each starts a new session with a new id, and
 * their transcripts are archived as `<file>.deleted.<timestamp>`. `reset` says so.
 */
import type { DeletedSession } from "../../lifecycle/delete-sessions.js";
import { assertStoreExists, openTargetBackend, resolveTarget, UsageError, type CommandContext } from "../command.js";
import { printable } from "../escape.js";

function transcripts(count: number, dryRun: boolean): string {
  const noun = `${count} transcript${count === 1 ? "" : "s"}`;
  return dryRun ? `would archive ${noun}` : `archived ${noun}`;
}

function deleteLine({ key, archived }: DeletedSession, dryRun: boolean): string {
  const files = archived.length === 0 ? "" : ` (${transcripts(archived.length, dryRun)})`;
  return `${dryRun ? "would delete" : "deleted"} ${printable(key)}${files}\n`;
}

function resetLine({ key, sessionId, archived }: DeletedSession, dryRun: boolean): string {
  const ended = sessionId === "" ? "an invalid entry" : `session ${printable(sessionId)}`;
  const files = archived.length === 0 ? "no transcript" : transcripts(archived.length, dryRun);
  return `${dryRun ? "would reset" : "reset"} ${printable(key)} (${ended}${dryRun ? " would end" : " ended"}; ${files})\n`;
}

const RESET_SUMMARY = "The next message to each starts a new session with a new session id; archived\ntranscripts are kept as <file>.deleted.<timestamp>.\n";

/** `verb`: which of the two the user typed; both remove the same way. */
export async function deleteSessions({ values, positionals, io }: CommandContext, verb: "delete" | "reset"): Promise<number> {
  const keys = positionals.slice(1);
  if (keys.length === 0) throw new UsageError(`sessions ${verb} needs at least one <key>`);
  const dryRun = values["dry-run"] === true;
  const target = await resolveTarget(values, io);
  await assertStoreExists(target);
  const backend = await openTargetBackend(target, io, { readOnly: dryRun });
  let deleted: DeletedSession[];
  try {
    deleted = await backend.delete(keys, { dryRun });
  } finally {
    await backend.close();
  }
  const found = new Set(deleted.map((d) => d.key));
  for (const key of keys) if (!found.has(key)) io.stderr(`hub sessions: no session "${printable(key)}" in ${printable(backend.location)}\n`);
  for (const session of deleted) io.stdout(verb === "reset" ? resetLine(session, dryRun) : deleteLine(session, dryRun));
  if (verb === "reset" && deleted.length > 0) io.stdout(dryRun ? "Nothing changed (--dry-run).\n" : RESET_SUMMARY);
  return found.size === new Set(keys).size ? 0 : 2;
}
