/**
 * Following one transcript by byte offset: new complete lines are read from where the last
 * read stopped; a torn last line is held back until its newline arrives; a file that was
 * replaced (another inode) or truncated is read again from its beginning.
 */
import type { Stats } from "node:fs";
import { statOrUndefined } from "./fs/fs-util.js";
import { completeEnd, openTranscript, scanForward } from "./transcripts/transcript-file.js";
import { parseMessageLine, type StoredMessage } from "../shared/transcript-format.js";

export interface Tail {
  key: string;
  sessionId: string;
  file: string;
  /** Where the next unread line starts. */
  offset: number;
  /** Inode and size when last read (0 when the file did not exist). */
  ino: number;
  size: number;
}

/** A tail of `file` from its beginning (`fromStart`) or from its current complete end. */
export async function openTail(root: string, key: string, sessionId: string, file: string, fromStart: boolean): Promise<Tail> {
  const tail: Tail = { key, sessionId, file, offset: 0, ino: 0, size: 0 };
  if (fromStart) return tail;
  const handle = await openTranscript(root, file, "read");
  if (handle === null) return tail;
  try {
    const stat = await handle.stat();
    Object.assign(tail, { ino: stat.ino, size: stat.size, offset: await completeEnd(handle, stat.size) });
  } finally {
    await handle.close();
  }
  return tail;
}

/** Whether a stat shows nothing new since the last read (a cheap check before opening). */
export function unchanged(tail: Tail, stat: Stats | undefined): boolean {
  return stat === undefined ? tail.ino === 0 : stat.ino === tail.ino && stat.size === tail.size;
}

/** The messages completed since the last read; advances the tail. */
export async function readTail(root: string, tail: Tail): Promise<StoredMessage[]> {
  if (unchanged(tail, await statOrUndefined(tail.file))) return [];
  const handle = await openTranscript(root, tail.file, "read");
  if (handle === null) {
    Object.assign(tail, { offset: 0, ino: 0, size: 0 }); // archived or removed: a new file starts over
    return [];
  }
  const messages: StoredMessage[] = [];
  try {
    const stat = await handle.stat();
    if (stat.ino !== tail.ino || stat.size < tail.offset) tail.offset = 0;
    Object.assign(tail, { ino: stat.ino, size: stat.size });
    const end = await completeEnd(handle, stat.size);
    if (end <= tail.offset) return messages;
    await scanForward(handle, tail.offset, (text, _start, next) => {
      if (next > end) return true;
      const message = parseMessageLine(text);
      if (message !== undefined) messages.push(message);
      tail.offset = next;
      return next >= end;
    });
  } finally {
    await handle.close();
  }
  return messages;
}
