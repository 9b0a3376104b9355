/**
 * `hub transcript <key> --follow`: the newest messages, then every new one as it arrives
 * (from any process), like `tail -f`, until interrupted. A reset or a delete of the session
 * is said in a marker line; a feed that had to skip (`resync`) re-reads the transcript and
 * prints what was not printed yet. Read-only.
 */
import type { Change, LiveBackend } from "../../backend/types.js";
import type { StoredMessage } from "../../backend/shared/transcript-format.js";
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

class Follower {
  private sessionId: string | undefined;
  private started = false;
  private lastId: string | undefined;
  /** Messages printed by the last re-read, which the feed may report again. */
  private recent = new Set<string>();

  constructor(
    private readonly backend: LiveBackend,
    private readonly options: FollowOptions,
  ) {}

  async apply(change: Change): Promise<void> {
    if (change.type === "resync") return this.catchUp();
    if (change.type === "message") return this.print(change.sessionId, change.message);
    const sessionId = change.entry?.sessionId;
    if (sessionId === this.sessionId) return;
    this.sessionId = sessionId;
    this.marker(sessionId);
  }

  private marker(sessionId: string | undefined): void {
    const { io, json, key } = this.options;
    if (json) io.stdout(`${safeJson({ type: "session", key, sessionId: sessionId ?? null }, 0)}\n`);
    else io.stdout(sessionId === undefined ? "--- session deleted ---\n" : `--- new session ${printable(sessionId)} ---\n`);
  }

  private print(sessionId: string, message: StoredMessage): void {
    if (this.recent.has(`${sessionId}/${message.id}`)) return;
    const { io, json, key } = this.options;
    this.lastId = message.id;
    io.stdout(json ? `${safeJson({ type: "message", key, sessionId, message }, 0)}\n` : messageLine(message));
  }

  /** The state after `resync`: the session's newest messages, or those after the last one printed. */
  private async catchUp(): Promise<void> {
    const { io, json, key, limit } = this.options;
    const entry = await this.backend.get(key);
    const first = !this.started;
    this.started = true;
    if (entry === undefined) {
      if (first) io.stderr(`hub transcript: no session "${printable(key)}" yet in ${printable(this.backend.location)}; waiting for it (Ctrl-C to stop)\n`);
      else if (this.sessionId !== undefined) this.marker(undefined);
      this.sessionId = undefined;
      return;
    }
    const same = !first && entry.sessionId === this.sessionId;
    if (first && !json) io.stdout(`${printable(key)} (session ${printable(entry.sessionId)}), following\n`);
    else if (!same) this.marker(entry.sessionId);
    this.sessionId = entry.sessionId;
    let { messages } = await this.backend.read(key, { limit: same ? CATCH_UP : limit });
    if (same) {
      const at = messages.findIndex((m) => m.id === this.lastId);
      if (at === -1 && this.lastId !== undefined && !json) io.stdout("--- some messages may have been skipped ---\n");
      messages = messages.slice(at + 1);
    }
    this.recent = new Set();
    for (const message of messages) {
      this.print(entry.sessionId, message);
      this.recent.add(`${entry.sessionId}/${message.id}`);
    }
  }
}

export async function followTranscript(options: FollowOptions): Promise<number> {
  const backend = await openTargetBackend(options.target, options.io, { readOnly: true });
  const { signal, release } = stopSignal(options.io);
  try {
    const follower = new Follower(backend, options);
    for await (const change of backend.watch({ keys: [options.key], signal })) await follower.apply(change);
    return 0;
  } finally {
    release();
    await backend.close();
  }
}
