/**
 * `hub transcript <key>`: the newest messages of a session. Read-only.
 */
import { messageText, type StoredMessage } from "../../backend/shared/transcript-format.js";
import { printable, printableLines, safeJson } from "../escape.js";
import { assertStoreExists, openTargetBackend, positiveIntOption, resolveTarget, UsageError, type Command } from "../command.js";
import { followTranscript } from "./transcript-follow.js";

const USAGE = `Usage: hub transcript <key> [--limit N] [--json] [--follow]

Prints the newest messages of a session, oldest first.

Options:
  --limit N   how many messages (a positive integer, default 20)
  --json      machine-readable output (with --follow: one JSON object per line)
  --follow    keep printing new messages as they arrive, like tail -f, until Ctrl-C
              (waits for a session that does not exist yet; says when it is reset)
  --store, --agent, --state-dir, --config, --database   which store (see hub --help)
`;

export const transcriptCommand: Command = {
  name: "transcript",
  usage: USAGE,
  positionals: true,
  options: { limit: { type: "string" }, json: { type: "boolean" }, follow: { type: "boolean" } },
  async run({ values, positionals, io }) {
    const key = positionals[0];
    if (key === undefined || positionals.length > 1) throw new UsageError("transcript takes exactly one <key>");
    const limit = positiveIntOption(values, "limit") ?? 20;
    const target = await resolveTarget(values, io);
    await assertStoreExists(target);
    if (values.follow === true) return followTranscript({ key, limit, json: values.json === true, target, io });
    const backend = await openTargetBackend(target, io, { readOnly: true });
    const [entry, page] = await (async () => {
      try {
        return [await backend.get(key), await backend.read(key, { limit })] as const;
      } finally {
        await backend.close();
      }
    })();
    if (!entry) {
      io.stderr(`hub transcript: no session "${printable(key)}" in ${printable(backend.location)}\n`);
      return 2;
    }
    if (values.json) {
      io.stdout(`${safeJson({ key, sessionId: entry.sessionId, count: page.messages.length, more: page.before !== undefined, messages: page.messages })}\n`);
      return 0;
    }
    io.stdout(`${printable(key)} (session ${printable(entry.sessionId)})${page.before === undefined ? "" : `, newest ${page.messages.length}`}\n`);
    for (const message of page.messages) io.stdout(messageLine(message));
    return 0;
  },
};

/** One message for the terminal: time, sender, text (escaped; later lines indented). */
export function messageLine(message: StoredMessage): string {
  const who = message.role === "user" ? (message.meta?.senderName ?? message.meta?.senderId ?? "user") : message.role;
  const flag = message.meta?.suppressed === true ? " [not sent]" : "";
  return `${new Date(message.timestamp).toISOString()}  ${printable(String(who))}${flag}: ${printableLines(messageText(message), "    ")}\n`;
}
