/**
 * The session list query every backend answers alike: validation, what "channel" and "chat
 * type" of an entry mean, and the order of the rows. Pure: a database backend uses the same
 * definitions to fill its columns and to validate queries.
 */
import { HubError, describeValue } from "../errors.js";
import { normalizeChannel } from "../keys/normalize.js";
import { parseSessionKey } from "../keys/parse.js";
import type { SessionEntry } from "./shared/entry.js";
import type { SessionPage, SessionQuery, SessionRow } from "./types.js";

const CHAT_TYPES = ["direct", "group", "channel"];

function invalid(field: string, expected: string, value: unknown): HubError {
  return new HubError("E_INVALID_ARGUMENT", `query.${field} must be ${expected}, got ${describeValue(value)}`);
}

/** Throws `E_INVALID_ARGUMENT` naming the first bad field of a list query. */
export function assertSessionQuery(query: unknown): asserts query is SessionQuery {
  if (query === null || typeof query !== "object") throw new HubError("E_INVALID_ARGUMENT", `query must be an object, got ${describeValue(query)}`);
  const { channel, chatType, activeWithinMs, now, limit, offset } = query as Record<string, unknown>;
  if (channel !== undefined && typeof channel !== "string") throw invalid("channel", "a string", channel);
  if (chatType !== undefined && !CHAT_TYPES.includes(chatType as string)) throw invalid("chatType", '"direct", "group" or "channel"', chatType);
  if (activeWithinMs !== undefined && !(typeof activeWithinMs === "number" && Number.isFinite(activeWithinMs) && activeWithinMs > 0)) {
    throw invalid("activeWithinMs", "a number of ms > 0", activeWithinMs);
  }
  if (now !== undefined && !(typeof now === "number" && Number.isFinite(now))) throw invalid("now", "epoch ms", now);
  if (limit !== undefined && !(typeof limit === "number" && Number.isSafeInteger(limit) && limit > 0)) throw invalid("limit", "a positive integer", limit);
  if (offset !== undefined && !(typeof offset === "number" && Number.isSafeInteger(offset) && offset >= 0)) throw invalid("offset", "an integer >= 0", offset);
}

/** The channel of a session: the entry's `channel`, else the one in its key. */
export function channelOf(key: string, entry: SessionEntry): string | undefined {
  return entry.channel ?? parseSessionKey(key)?.channel;
}

/** The chat type of a session: the entry's `chatType`, else the one its key implies. */
export function chatTypeOf(key: string, entry: SessionEntry): string | undefined {
  return entry.chatType ?? parseSessionKey(key)?.chatType;
}

/** Newest activity first, then by key: the order of every backend's `list`. */
export function compareRows(a: SessionRow, b: SessionRow): number {
  return b.entry.updatedAt - a.entry.updatedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** The page of `rows` a (validated) query selects; `now` is the backend's clock. */
export function selectPage(rows: readonly SessionRow[], query: SessionQuery, now: number): SessionPage {
  const channel = query.channel === undefined ? undefined : normalizeChannel(query.channel);
  const since = query.activeWithinMs === undefined ? undefined : (query.now ?? now) - query.activeWithinMs;
  const matching = rows.filter(({ key, entry }) => {
    if (channel !== undefined && channelOf(key, entry) !== channel) return false;
    if (query.chatType !== undefined && chatTypeOf(key, entry) !== query.chatType) return false;
    return since === undefined || entry.updatedAt >= since;
  });
  matching.sort(compareRows);
  const offset = query.offset ?? 0;
  const end = query.limit === undefined ? undefined : offset + query.limit;
  return { sessions: matching.slice(offset, end), total: matching.length };
}
