/**
 * `findInboundMessage`: whether an inbound message (by its channel's message id) is already
 * in a session's transcripts, the current one and those of earlier session ids, newest lines
 * first. The transcript is the truth for what was received: de-duplication asks here when a
 * claim was left unfinished by a process that is gone. A rare path: it reads whole files.
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

function matches(text: string, needle: string, wanted: InboundLineIdentity): boolean {
  if (!text.includes(needle)) return false; // cheap filter before parsing
  let line: { type?: unknown; message?: { role?: unknown }; meta?: LineMeta };
  try {
    line = JSON.parse(text) as typeof line;
  } catch {
    return false; // a torn line: not a message that reached the transcript
  }
  const meta = line.meta;
  if (line.type !== "message" || line.message?.role !== "user" || meta === undefined) return false;
  return (
    meta.gatewayMessageId === wanted.gatewayMessageId &&
    meta.channel === wanted.channel &&
    meta.accountId === wanted.accountId &&
    (wanted.senderId === undefined || meta.senderId === wanted.senderId)
  );
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
  const entry = await store.get(sessionKey);
  if (entry === undefined) return false;
  const root = path.resolve(store.dir);
  const topic = topicIdOf(sessionKey);
  const files = [resolveTranscriptPath(root, { sessionId: entry.sessionId, sessionFile: sessionFileOf(sessionKey, entry) })];
  for (const id of entry.previousSessionIds ?? []) {
    files.push(resolveTranscriptPath(root, { sessionId: id, sessionFile: transcriptFileName(id, topic) }));
  }
  for (const file of files) if (await fileHas(root, file, wanted)) return true;
  return false;
}
