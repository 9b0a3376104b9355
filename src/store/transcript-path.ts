/**
 * Where a session's transcript lives: `<sessionId>.jsonl`, or `<sessionId>-topic-<t>.jsonl`
 * for a Telegram forum topic, always inside the sessions directory.
 */
import path from "node:path";
import { HubError } from "../errors.js";
import { parseSessionKey } from "../keys/index.js";
import { assertSessionId } from "./entry.js";

/** The file name of a transcript (not yet validated against a directory). */
export function transcriptFileName(sessionId: string, topicId?: string | number): string {
  try {
    assertSessionId(sessionId);
  } catch (error) {
    throw new HubError("E_INVALID_SESSION_FILE", (error as Error).message, { cause: error });
  }
  if (topicId === undefined || topicId === "") return `${sessionId}.jsonl`;
  return `${sessionId}-topic-${encodeURIComponent(String(topicId))}.jsonl`;
}

/**
 * The absolute transcript path of an entry: its `sessionFile` when set (relative to the
 * sessions directory, or absolute but inside it, as clawdbot records it), else
 * `<sessionId>.jsonl`. Anything that would leave `sessionsDir` is refused with
 * `E_INVALID_SESSION_FILE`. (Symlinks are checked when the file is opened.)
 */
export function resolveTranscriptPath(sessionsDir: string, entry: { sessionId: string; sessionFile?: string | undefined }): string {
  const root = path.resolve(sessionsDir);
  const file = entry.sessionFile ?? transcriptFileName(entry.sessionId);
  if (typeof file !== "string" || file === "" || file.includes("\0")) {
    throw new HubError("E_INVALID_SESSION_FILE", `sessionFile must be a file name inside ${root}, got ${JSON.stringify(file)}`);
  }
  const resolved = path.resolve(root, file);
  if (path.dirname(resolved) !== root) {
    throw new HubError("E_INVALID_SESSION_FILE", `sessionFile must stay inside ${root}, got ${JSON.stringify(file)}`, { file: resolved });
  }
  return resolved;
}

/** The topic id of a Telegram forum topic session key (`...:topic:<t>`), else undefined. */
export function topicIdOf(sessionKey: string): string | undefined {
  if (!/:topic:[^:]+$/.test(sessionKey)) return undefined;
  return parseSessionKey(sessionKey)?.threadId;
}

/**
 * The `sessionFile` value of a session: the one recorded on the entry, else the default name
 * for its id (`<sessionId>-topic-<t>.jsonl` for a Telegram forum topic key).
 */
export function sessionFileOf(sessionKey: string, entry: { sessionId: string; sessionFile?: string | undefined }): string {
  return entry.sessionFile ?? transcriptFileName(entry.sessionId, topicIdOf(sessionKey));
}
