/**
 * The dashboard's JSON API over a `Backend`. Query parameters come from the network: each is
 * validated, and a page is always bounded (the browser never gets the whole store).
 *
 *   GET  /api/sessions?limit&offset&channel&q   a page of sessions, newest activity first
 *   GET  /api/channels                          the channels sessions are on
 *   GET  /api/transcript?key&limit&before&thread   a page of the key's current transcript
 *   POST /api/reset { key }                     deletes the key (the next message starts afresh)
 */
import { channelOf } from "../backend/query.js";
import type { Backend, SessionRow } from "../backend/types.js";
import { toRow } from "../cli/commands/sessions.js";
import { HubError } from "../errors.js";

const MAX_LIMIT = 200;
const MAX_TEXT = 2_000;

export class BadRequest extends Error {
  override readonly name = "BadRequest";
}

function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw === "") return fallback;
  if (!/^[0-9]{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new BadRequest(`${name} must be an integer from ${min} to ${max}`);
  return Number(raw);
}

function textParam(params: URLSearchParams, name: string): string | undefined {
  const raw = params.get(name);
  if (raw === null || raw.trim() === "") return undefined;
  if (raw.length > MAX_TEXT) throw new BadRequest(`${name} is longer than ${MAX_TEXT} characters`);
  return raw;
}

function requiredText(params: URLSearchParams, name: string): string {
  const value = textParam(params, name);
  if (value === undefined) throw new BadRequest(`${name} is required`);
  return value;
}

/** Whether a session mentions `needle` (lower-cased) in its key, names, subject, model or id. */
function mentions({ key, entry }: SessionRow, needle: string): boolean {
  const fields = [key, entry.displayName, entry.label, entry.subject, entry.groupChannel, entry.model, entry.modelOverride, entry.sessionId];
  return fields.some((field) => typeof field === "string" && field.toLowerCase().includes(needle));
}

export async function sessionsPage(backend: Backend, params: URLSearchParams) {
  const limit = intParam(params, "limit", 50, 1, MAX_LIMIT);
  const offset = intParam(params, "offset", 0, 0, 1e9);
  const channel = textParam(params, "channel");
  const q = textParam(params, "q")?.toLowerCase();
  const now = backend.now();
  let page;
  if (q === undefined) page = await backend.list({ channel, limit, offset });
  else {
    // A text search has no backend query yet: the server filters, the browser still gets one page.
    const matching = (await backend.list({ channel })).sessions.filter((row) => mentions(row, q));
    page = { sessions: matching.slice(offset, offset + limit), total: matching.length };
  }
  const sessions = page.sessions.map(({ key, entry }) => ({ ...toRow(key, entry, now), subject: typeof entry.subject === "string" ? entry.subject : null }));
  return { store: backend.location, now, total: page.total, offset, limit, sessions };
}

export async function channels(backend: Backend) {
  const found = new Set<string>();
  for (const { key, entry } of (await backend.list()).sessions) {
    const channel = channelOf(key, entry);
    if (typeof channel === "string") found.add(channel);
  }
  return { channels: [...found].sort() };
}

export async function transcriptPage(backend: Backend, params: URLSearchParams) {
  const key = requiredText(params, "key");
  const limit = intParam(params, "limit", 50, 1, MAX_LIMIT);
  const before = textParam(params, "before");
  const threadId = textParam(params, "thread");
  const entry = await backend.get(key);
  if (entry === undefined) return { key, now: backend.now(), session: null, messages: [], before: null };
  const page = await backend.read(key, { limit, before, threadId });
  const threads = new Set(page.messages.flatMap((m) => (m.meta?.threadId === undefined ? [] : [String(m.meta.threadId)])));
  return { key, now: backend.now(), session: toRow(key, entry, backend.now()), messages: page.messages, before: page.before ?? null, threads: [...threads] };
}

export async function resetSession(backend: Backend, body: unknown) {
  const key = (body as { key?: unknown } | null)?.key;
  if (typeof key !== "string" || key === "" || key.length > MAX_TEXT) throw new BadRequest("body must be {\"key\": <session key>}");
  const deleted = await backend.delete([key]);
  return { key, deleted: deleted.length > 0 };
}

/** The HTTP status of an error of a handler. */
export function statusOf(error: unknown): number {
  if (error instanceof BadRequest) return 400;
  if (error instanceof HubError && (error.code === "E_INVALID_ARGUMENT" || error.code === "E_INVALID_KEY")) return 400;
  return 500;
}
