/**
 * `hub transcript <key> --follow`: the newest messages, then every new one as it arrives
 * (from any process), like `tail -f`, until interrupted. A reset or a delete of the session
 * is said in a marker line; a feed that had to skip (`resync`) re-reads the transcript and
 * prints what was not printed yet. Read-only.
 */
import type { StoredMessage } from "../../store/transcript-format.js";
import type { CliIo, Target } from "../command.js";
import { printable, safeJson } from "../escape.js";
import { openTargetBackend, stopSignal } from "../live.js";
import { messageLine } from "./transcript.js";

/** How far back a re-read after a `resync` looks for the last message printed. */
const CATCH_UP = 500;

export interface FollowOptions {
  key: string;
  limit: number;
  json: boolean;
  target: Target;
  io: CliIo;
}

export async function followTranscript({ key, limit, json, target, io }: FollowOptions): Promise<number> {
  const { signal, release } = stopSignal(io);
  const backend = openTargetBackend(target, io, { readOnly: true });
  let sessionId: string | undefined;
  let started = false;
  let lastId: string | undefined;
  /** Messages printed by the last re-read, which the feed may report again. */
  let recent = new Set<string>();

  const marker = (text: string, id: string | null) => io.stdout(json ? `${safeJson({ type: "session", key, sessionId: id }, 0)}\n` : `--- ${text} ---\n`);
  const print = (id: string, message: StoredMessage) => {
    if (recent.has(`${id}/${message.id}`)) return;
    lastId = message.id;
    io.stdout(json ? `${safeJson({ type: "message", key, sessionId: id, message }, 0)}\n` : messageLine(message));
  };

  /** The state after `resync`: the session's newest messages, or those after the last one printed. */
  const catchUp = async () => {
    const entry = await backend.get(key);
    if (entry === undefined) {
      if (!started) io.stderr(`hub transcript: no session "${printable(key)}" yet in ${printable(backend.path)}; waiting for it (Ctrl-C to stop)\n`);
      else if (sessionId !== undefined) marker("session deleted", null);
      sessionId = undefined;
      started = true;
      return;
    }
    const same = started && entry.sessionId === sessionId;
    if (!same) {
      if (started) marker(`new session ${printable(entry.sessionId)}`, entry.sessionId);
      else if (!json) io.stdout(`${printable(key)} (session ${printable(entry.sessionId)}), following\n`);
    }
    sessionId = entry.sessionId;
    started = true;
    const page = await backend.read(key, { limit: same ? CATCH_UP : limit });
    let messages = page.messages;
    if (same) {
      const at = messages.findIndex((m) => m.id === lastId);
      if (at === -1 && lastId !== undefined && !json) io.stdout("--- some messages may have been skipped ---\n");
      messages = messages.slice(at + 1);
    }
    recent = new Set();
    for (const message of messages) {
      print(entry.sessionId, message);
      recent.add(`${entry.sessionId}/${message.id}`);
    }
  };

  try {
    for await (const change of backend.watch({ keys: [key], signal })) {
      if (change.type === "resync") await catchUp();
      else if (change.type === "message") print(change.sessionId, change.message);
      else if (change.entry === null) {
        if (sessionId !== undefined) marker("session deleted", null);
        sessionId = undefined;
      } else if (change.entry.sessionId !== sessionId) {
        sessionId = change.entry.sessionId;
        marker(`new session ${printable(sessionId)}`, sessionId);
      }
    }
    return 0;
  } finally {
    release();
    await backend.close();
  }
}
