/**
 * The change feed of the backend seam (issue 13): what `LiveBackend.watch` yields.
 */
import type { Backend, SessionEntry, StoredMessage } from "./types.js";

/** One change seen by `watch`. */
export type Change =
  /** An entry was created, changed, reset (new sessionId) or deleted (`entry: null`). */
  | { type: "session"; key: string; entry: SessionEntry | null }
  /** A message was appended to a transcript. */
  | { type: "message"; key: string; sessionId: string; message: StoredMessage }
  /** Changes may have been missed (a slow consumer, a reconnect): re-read what you show. */
  | { type: "resync" };

export interface WatchOptions {
  /** Only changes of these keys. Default: every key. */
  keys?: readonly string[] | undefined;
  /** Ends the iteration. */
  signal?: AbortSignal | undefined;
  /** Changes held for a consumer that falls behind before they collapse into one `resync`. Default 10 000. */
  maxQueued?: number | undefined;
}

/**
 * A backend with a live change feed (issue 13). Watching starts when iteration starts; the
 * first change is always `resync`, once the feed is live: read the state then, and every
 * later change (by any process, a hand edit included) arrives, typically within 200 ms and
 * always within 2 s. Entries converge to their final state even when intermediate changes
 * are coalesced. Messages are those appended to each watched key's current session. A
 * consumer that falls behind gets `resync` instead of an unbounded queue. Iteration ends on
 * `break`, on `signal`, or when the backend closes.
 */
export interface LiveBackend extends Backend {
  watch(options?: WatchOptions): AsyncIterable<Change>;
}

/** Whether `backend` offers the change feed. */
export function isLiveBackend(backend: Backend): backend is LiveBackend {
  return typeof (backend as Partial<LiveBackend>).watch === "function";
}
