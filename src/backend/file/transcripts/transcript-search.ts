/**
 * `findInboundMessage`: whether an inbound message (by its channel's message id) is already
 * in a session's transcripts, the current one and those of earlier session ids, newest lines
 * first. The transcript is the truth for what was received: de-duplication asks here when a
 * claim was left unfinished by a process that is gone (a rare path: it reads whole files).
 * `recentInbound`: the newest inbound messages of a session, which a turn's first claim for
 * a key checks, as a power loss may have taken claim records whose lines survived (turn.ts).
 */
import path from "node:path";
import type { SessionStore } from "../store/session-store.js";
import { openTranscript, scanBackward, sizeOf } from "./transcript-file.js";
import { resolveTranscriptPath, sessionFileOf, topicIdOf, transcriptFileName } from "./transcript-path.js";

/** What identifies the message in its transcript line's `meta`. */
export interface InboundLineIdentity {
  channel: string;
  accountId?: string | undefined;
  /** Checked when given (direct chats: the sender is the peer). */
  senderId?: string | undefined;
  /** As the inbound message gave it (a string or a number). */
  gatewayMessageId: string | number;
}

interface LineMeta {
  channel?: unknown;
  accountId?: unknown;
  senderId?: unknown;
  gatewayMessageId?: unknown;
}

/** The identity of an inbound (user) message line, undefined for any other line or a torn one. */
function inboundOf(text: string): InboundLineIdentity | undefined {
  let line: { type?: unknown; message?: { role?: unknown }; meta?: LineMeta };
  try {
    line = JSON.parse(text) as typeof line;
  } catch {
    return undefined; // a torn line: not a message that reached the transcript
  }
  const meta = line.meta;
  if (line.type !== "message" || line.message?.role !== "user" || meta === undefined) return undefined;
  const id = meta.gatewayMessageId;
  if (typeof meta.channel !== "string" || (typeof id !== "string" && typeof id !== "number")) return undefined;
  return {
    channel: meta.channel,
    accountId: typeof meta.accountId === "string" ? meta.accountId : undefined,
    senderId: typeof meta.senderId === "string" ? meta.senderId : undefined,
    gatewayMessageId: id,
  };
}

/** Whether a line's identity is the wanted one (its sender checked only when wanted names one). */
function same(line: InboundLineIdentity, wanted: InboundLineIdentity): boolean {
  return (
    line.gatewayMessageId === wanted.gatewayMessageId &&
    line.channel === wanted.channel &&
    line.accountId === wanted.accountId &&
    (wanted.senderId === undefined || line.senderId === wanted.senderId)
  );
}

function matches(text: string, needle: string, wanted: InboundLineIdentity): boolean {
  if (!text.includes(needle)) return false; // cheap filter before parsing
  const line = inboundOf(text);
  return line !== undefined && same(line, wanted);
}

async function fileHas(root: string, file: string, wanted: InboundLineIdentity): Promise<boolean> {
  const handle = await openTranscript(root, file, "read");
  if (handle === null) return false;
  const needle = `"gatewayMessageId":${JSON.stringify(wanted.gatewayMessageId)}`;
  let found = false;
  try {
    await scanBackward(handle, await sizeOf(handle), (text) => (found = matches(text, needle, wanted)));
  } finally {
    await handle.close();
  }
  return found;
}

/** True when a user line with this message's id (and channel, account, sender) is in the session's transcripts. */
export async function findInboundMessage(store: SessionStore, sessionKey: string, wanted: InboundLineIdentity): Promise<boolean> {
  for (const file of await transcriptsOf(store, sessionKey, Infinity)) if (await fileHas(path.resolve(store.dir), file, wanted)) return true;
  return false;
}

/** The inbound messages found among a session's newest lines (`recentInbound`). */
export interface RecentInbound {
  has(wanted: InboundLineIdentity): boolean;
}

/**
 * The newest inbound messages of a session, at most `limit` of them, from the last
 * `tailBytes` of its current transcript and of the one before it (the entry's
 * `previousSessionIds[0]`).
 */
export async function recentInbound(store: SessionStore, sessionKey: string, tailBytes: number, limit: number): Promise<RecentInbound> {
  const found: InboundLineIdentity[] = [];
  const root = path.resolve(store.dir);
  for (const file of await transcriptsOf(store, sessionKey, 1)) {
    const handle = await openTranscript(root, file, "read");
    if (handle === null) continue;
    try {
      const size = await sizeOf(handle);
      await scanBackward(handle, size, (text, start) => {
        const line = text.includes('"gatewayMessageId"') ? inboundOf(text) : undefined;
        if (line !== undefined) found.push(line);
        return found.length >= limit || start < size - tailBytes;
      });
    } finally {
      await handle.close();
    }
  }
  return { has: (wanted) => found.some((line) => same(line, wanted)) };
}

/** The transcript files of a session: the current one, then up to `previous` earlier ones, newest first. */
async function transcriptsOf(store: SessionStore, sessionKey: string, previous: number): Promise<string[]> {
  const entry = await store.get(sessionKey);
  if (entry === undefined) return [];
  const root = path.resolve(store.dir);
  const topic = topicIdOf(sessionKey);
  const files = [resolveTranscriptPath(root, { sessionId: entry.sessionId, sessionFile: sessionFileOf(sessionKey, entry) })];
  for (const id of (entry.previousSessionIds ?? []).slice(0, previous)) {
    files.push(resolveTranscriptPath(root, { sessionId: id, sessionFile: transcriptFileName(id, topic) }));
  }
  return files;
}
