/**
 * `readMessages`: pages of a session's transcript, newest page first, found by reading the
 * file backwards from its end in chunks (the cost of the newest page does not grow with the
 * file). Cursors are byte offsets at line boundaries, so paging never skips or repeats a
 * message, whatever is appended meanwhile.
 */
import path from "node:path";
import type { FileHandle } from "node:fs/promises";
import { HubError, describeValue } from "../../../errors.js";
import type { SessionStore } from "../store/session-store.js";
import { decodeCursor, encodeCursor } from "./transcript-cursor.js";
import { completeEnd, openTranscript, scanBackward, scanForward, sizeOf } from "./transcript-file.js";
import { parseMessageLine, type StoredMessage } from "../../shared/transcript-format.js";
import { resolveTranscriptPath, sessionFileOf } from "./transcript-path.js";

export const DEFAULT_PAGE_SIZE = 50;

export interface ReadMessagesOptions {
  /** At most this many messages (a positive integer). Default 50. */
  limit?: number | undefined;
  /** A cursor from a previous page: the messages just older than that page. */
  before?: string | undefined;
  /** A cursor from a previous page: the messages just newer than that page. */
  after?: string | undefined;
  /** Only messages whose `meta.threadId` equals this (compared as strings). Default: all. */
  threadId?: string | number | undefined;
}

export interface ReadMessagesResult {
  /** Oldest first. */
  messages: StoredMessage[];
  /** Set when older messages exist: pass it as `before` for the previous page. */
  before?: string;
  /** Set when newer messages exist: pass it as `after` for the next page. */
  after?: string;
  /**
   * A cursor just past this page, set whenever the session exists: pass it as `after` later
   * to get only the messages appended since (polling), even when `after` is absent now.
   */
  tail?: string;
}

interface Found {
  message: StoredMessage;
  start: number;
  next: number;
}

type Match = (message: StoredMessage) => boolean;

function assertOptions(options: unknown): asserts options is ReadMessagesOptions {
  if (options === null || typeof options !== "object") {
    throw new HubError("E_INVALID_ARGUMENT", `options must be an object, got ${describeValue(options)}`);
  }
  const { limit, before, after, threadId } = options as Record<string, unknown>;
  if (limit !== undefined && !(typeof limit === "number" && Number.isSafeInteger(limit) && limit > 0)) {
    throw new HubError("E_INVALID_ARGUMENT", `limit must be a positive integer, got ${describeValue(limit)}`);
  }
  if (before !== undefined && after !== undefined) {
    throw new HubError("E_INVALID_ARGUMENT", "pass either before or after, not both");
  }
  if (threadId !== undefined && typeof threadId !== "string" && typeof threadId !== "number") {
    throw new HubError("E_INVALID_ARGUMENT", `threadId must be a string or a number, got ${describeValue(threadId)}`);
  }
}

/** Up to `count` matching messages before `end`, newest first. */
async function collectBackward(handle: FileHandle, end: number, count: number, match: Match): Promise<Found[]> {
  const found: Found[] = [];
  await scanBackward(handle, end, (text, start, next) => {
    const message = parseMessageLine(text);
    if (message !== undefined && match(message)) found.push({ message, start, next });
    return found.length >= count;
  });
  return found;
}

/** Up to `count` matching messages from `start` on, oldest first. */
async function collectForward(handle: FileHandle, start: number, count: number, match: Match): Promise<Found[]> {
  const found: Found[] = [];
  await scanForward(handle, start, (text, lineStart, next) => {
    const message = parseMessageLine(text);
    if (message !== undefined && match(message)) found.push({ message, start: lineStart, next });
    return found.length >= count;
  });
  return found;
}

/** The page ending at `end` (newest first in `found`), plus whether anything newer matches. */
async function pageBackward(handle: FileHandle, end: number, limit: number, match: Match, fromCursor: boolean) {
  const found = await collectBackward(handle, end, limit + 1, match);
  const older = found.length > limit;
  const page = found.slice(0, limit).reverse();
  const newer = fromCursor && (await collectForward(handle, end, 1, match)).length > 0;
  return { page, older, newer };
}

/** The page starting at `start` (oldest first), plus whether anything older matches. */
async function pageForward(handle: FileHandle, start: number, limit: number, match: Match) {
  const found = await collectForward(handle, start, limit + 1, match);
  const newer = found.length > limit;
  const page = found.slice(0, limit);
  const older = (await collectBackward(handle, start, 1, match)).length > 0;
  return { page, older, newer };
}

/**
 * A page of the messages of `sessionKey`'s transcript, oldest first: the newest `limit`
 * without a cursor, else the page just before `before` or just after `after`. Lines of other
 * types, malformed lines and a torn last line are skipped. A session without a transcript
 * yields no messages.
 */
export async function readMessages(store: SessionStore, sessionKey: string, options: ReadMessagesOptions = {}): Promise<ReadMessagesResult> {
  assertOptions(options);
  const entry = await store.get(sessionKey);
  if (entry === undefined) return { messages: [] };
  const file = resolveTranscriptPath(store.dir, { sessionId: entry.sessionId, sessionFile: sessionFileOf(sessionKey, entry) });
  const name = path.basename(file);
  const before = options.before === undefined ? undefined : decodeCursor(options.before, "before", name);
  const after = options.after === undefined ? undefined : decodeCursor(options.after, "after", name);
  const handle = await openTranscript(path.resolve(store.dir), file, "read");
  if (handle === null) return { messages: [], tail: encodeCursor(name, 0) };
  const limit = options.limit ?? DEFAULT_PAGE_SIZE;
  const thread = options.threadId === undefined ? undefined : String(options.threadId);
  const match: Match = thread === undefined ? () => true : (m) => m.meta?.threadId !== undefined && String(m.meta.threadId) === thread;
  try {
    const size = await sizeOf(handle);
    const start = Math.min(after ?? before ?? size, size);
    const { page, older, newer } =
      after === undefined ? await pageBackward(handle, start, limit, match, before !== undefined) : await pageForward(handle, start, limit, match);
    const oldest = page[0];
    const newest = page[page.length - 1];
    const result: ReadMessagesResult = { messages: page.map((f) => f.message) };
    if (older) result.before = encodeCursor(name, oldest?.start ?? start);
    if (newer) result.after = encodeCursor(name, newest?.next ?? start);
    const tail = newest?.next ?? (before === undefined ? await completeEnd(handle, size) : start);
    result.tail = encodeCursor(name, tail);
    return result;
  } catch (error) {
    if (error instanceof HubError) throw error;
    throw new HubError("E_IO", `cannot read transcript ${file}: ${(error as Error).message}`, { cause: error, file });
  } finally {
    await handle.close();
  }
}
