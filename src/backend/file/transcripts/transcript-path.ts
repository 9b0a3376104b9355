/**
 * Where a session's transcript lives: `<sessionId>.jsonl`, or `<sessionId>-topic-<t>.jsonl`
 * for a Telegram forum topic, always inside the sessions directory.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { HubError } from "../../../errors.js";
import { parseSessionKey } from "../../../keys/index.js";
import { assertSessionId } from "../../shared/entry.js";
import { STORE_FILE_NAME } from "../store/paths.js";
import { BoundedMap } from "../../shared/bounded-map.js";

export const TRANSCRIPT_EXTENSION = ".jsonl";
/**
 * The longest transcript file name we derive from ids (UTF-8 bytes): 255 minus room for the
 * names made from it (`.lock.new-<8>`, `.corrupt.<time>`, `.deleted.<time>-<n>`).
 */
export const MAX_TRANSCRIPT_NAME_BYTES = 200;
const MAX_SEGMENT_BYTES = 255;
/** The store's own directories inside the sessions directory: never part of a transcript path. */
const INTERNAL_DIRS = new Set(["dedupe"]);

/** The longest prefix of `text` (whole code points) that fits in `bytes` UTF-8 bytes. */
function utf8Prefix(text: string, bytes: number): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    used += Buffer.byteLength(char);
    if (used > bytes) break;
    end += char.length;
  }
  return text.slice(0, end);
}

/**
 * `<base>.jsonl` while that fits in {@link MAX_TRANSCRIPT_NAME_BYTES}; else the base is cut and
 * a hash of the whole base appended (`<start of base>-<32 hex>.jsonl`), so the name stays
 * unique and the same for the same ids. Short names are unchanged.
 */
function boundedName(base: string): string {
  const name = `${base}${TRANSCRIPT_EXTENSION}`;
  if (Buffer.byteLength(name) <= MAX_TRANSCRIPT_NAME_BYTES) return name;
  const hash = createHash("sha256").update(base).digest("hex").slice(0, 32);
  const room = MAX_TRANSCRIPT_NAME_BYTES - TRANSCRIPT_EXTENSION.length - hash.length - 1;
  return `${utf8Prefix(base, room)}-${hash}${TRANSCRIPT_EXTENSION}`;
}

/** The file name of a transcript (not yet validated against a directory). */
export function transcriptFileName(sessionId: string, topicId?: string | number): string {
  try {
    assertSessionId(sessionId);
  } catch (error) {
    throw new HubError("E_INVALID_SESSION_FILE", (error as Error).message, { cause: error });
  }
  if (topicId === undefined || topicId === "") return boundedName(sessionId);
  return boundedName(`${sessionId}-topic-${encodeURIComponent(String(topicId))}`);
}

/** Why `relative` (a path inside the sessions directory) cannot be a transcript, or undefined. */
function refusal(relative: string): string | undefined {
  if (!relative.endsWith(TRANSCRIPT_EXTENSION)) return `must name a ${TRANSCRIPT_EXTENSION} file`;
  const segments = relative.split(path.sep);
  if (INTERNAL_DIRS.has(segments[0] as string) || (segments[0] as string).startsWith(STORE_FILE_NAME)) return "names the store's own files";
  for (const [i, segment] of segments.entries()) {
    // Lock directories are `<file>.lock` and `<file>.lock.<new|old|dead>-<id>`.
    if (i < segments.length - 1 && /\.lock(?:\.|$)/.test(segment)) return "is inside a lock directory";
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) return `has a name longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  return undefined;
}

/**
 * The absolute transcript path of an entry: its `sessionFile` when set (relative to the
 * sessions directory, or absolute but inside it, as clawdbot records it; sub-directories are
 * fine), else `<sessionId>.jsonl`. Only a `*.jsonl` path inside `sessionsDir` that is none of
 * the store's own files (sessions.json*, lock directories, `dedupe/`) is accepted; anything
 * else is refused with `E_INVALID_SESSION_FILE`. (Symlinks are checked when the file is opened.)
 */
export function resolveTranscriptPath(sessionsDir: string, entry: { sessionId: string; sessionFile?: string | undefined }): string {
  // Every append resolves its transcript's path: the answers are kept (a relative directory's depend on the working directory).
  if (!path.isAbsolute(sessionsDir)) return resolveUncached(sessionsDir, entry);
  const memoKey = `${sessionsDir}\u0000${entry.sessionId}\u0000${entry.sessionFile ?? "\u0000"}`;
  const known = resolved.get(memoKey);
  if (known !== undefined) return known;
  const file = resolveUncached(sessionsDir, entry);
  resolved.set(memoKey, file);
  return file;
}

const resolved = new BoundedMap<string, string>(4_096);

function resolveUncached(sessionsDir: string, entry: { sessionId: string; sessionFile?: string | undefined }): string {
  const root = path.resolve(sessionsDir);
  const file = entry.sessionFile ?? transcriptFileName(entry.sessionId);
  if (typeof file !== "string" || file === "" || file.includes("\0")) {
    throw new HubError("E_INVALID_SESSION_FILE", `sessionFile must be a file name inside ${root}, got ${JSON.stringify(file)}`);
  }
  const resolved = path.resolve(root, file);
  const relative = path.relative(root, resolved);
  if (relative === "" || relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    throw new HubError("E_INVALID_SESSION_FILE", `sessionFile must stay inside ${root}, got ${JSON.stringify(file)}`, { file: resolved });
  }
  const why = refusal(relative);
  if (why !== undefined) {
    throw new HubError("E_INVALID_SESSION_FILE", `sessionFile ${JSON.stringify(file)} ${why}: only a transcript (*.jsonl) inside ${root} is`, { file: resolved });
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
