/**
 * `appendMessage`: one line per message at the end of the session's transcript, chained to
 * the entry before it. In one process, appends queued for a session while a write is in
 * flight go out together, in call order, in the next write (one fsync for all of them when
 * the store is durable); across processes, each write happens under the transcript's lock
 * (kept across a burst of appends: lock/lease.ts), after reading the last entry id from the
 * file's tail unless this process wrote it last (append-tail.ts), so the `parentId` chain
 * never forks.
 */
import path from "node:path";
import { HubError, describeValue } from "../../../errors.js";
import { FUTURE_SKEW_MS } from "../../../lifecycle/defaults.js";
import { assertKey } from "../store/draft.js";
import { SESSION_ID_PATTERN, isValidSessionId, type SessionEntry } from "../../shared/entry.js";
import { ioFailure } from "../fs/fs-util.js";
import type { HeldLock, LockOptions } from "../lock/lock.js";
import { withLeasedLock } from "../lock/lease.js";
import type { SessionStore, StoreWarning } from "../store/session-store.js";
import { appendAll, copyAside, openTranscript, syncDir } from "./transcript-file.js";
import { appendKnownTail, assertLockHeld, linesOf, readTail, rememberTail, stampOf, takeKnownTail, type Written } from "./append-tail.js";
import { headerLine, prepareMessage, type AppendMessageInput, type PreparedMessage, type StoredMessage } from "../../shared/transcript-format.js";
import { resolveTranscriptPath, sessionFileOf, topicIdOf, transcriptFileName } from "./transcript-path.js";

/** The transcript's cross-process lock (also taken by whoever archives a transcript). */
export const TRANSCRIPT_LOCK: LockOptions = { timeoutMs: 60_000, staleMs: 10_000 };

export interface AppendOptions {
  /**
   * Told when the line was written but the store update after it (activity clock,
   * `sessionFile`) failed: the append still resolves, since the transcript has the message.
   * Default: `process.emitWarning`.
   */
  onWarning?: ((warning: StoreWarning) => void) | undefined;
  /**
   * The session the message belongs to: it goes to that session's transcript even when the
   * entry has moved on to another session (then the entry is left alone), and an absent entry
   * is created with that session id. Default: the entry's current session.
   */
  sessionId?: string | undefined;
  /**
   * The entry as the caller just read it (a turn's decided entry): when it holds `sessionId`,
   * its transcript is appended to without reading the store again.
   */
  entry?: SessionEntry | undefined;
}

interface Pending {
  prepared: PreparedMessage;
  entry: SessionEntry | undefined;
  warn: (warning: StoreWarning) => void;
  resolve: (message: StoredMessage) => void;
  reject: (error: unknown) => void;
}

function emitWarning(warning: StoreWarning): void {
  process.emitWarning(warning.message, { code: warning.code });
}

interface Queue {
  items: Pending[];
  flushing: boolean;
}

/** Per store and session key (and target session), the appends waiting for the next write. */
const queues = new WeakMap<SessionStore, Map<string, Queue>>();
/** Appends of this process not settled yet, every store counted: one alone may sync on the event loop. */
let underWay = 0;

/**
 * Appends a message to the transcript of `sessionKey`, creating the session entry (and the
 * transcript, with its header) when needed, records `sessionFile` on the entry when it has
 * none, and moves the entry's activity clock (`updatedAt`) to the message's timestamp (never
 * backwards, and never past now + `FUTURE_SKEW_MS`). Resolves with the stored message once
 * the line is written (and fsynced when the store is durable) and the store is updated. Once
 * the line is written it never rejects: a failed store update is reported to
 * `options.onWarning` (the transcript is the truth; a retry would append the message twice).
 */
export function appendMessage(store: SessionStore, sessionKey: string, message: AppendMessageInput, options: AppendOptions = {}): Promise<StoredMessage> {
  return new Promise<StoredMessage>((resolve, reject) => {
    assertKey(sessionKey, "sessionKey");
    if (options.sessionId !== undefined && !isValidSessionId(options.sessionId)) {
      throw new HubError("E_INVALID_ARGUMENT", `sessionId must match ${SESSION_ID_PATTERN}, got ${describeValue(options.sessionId)}`);
    }
    const prepared = prepareMessage(message, store.now());
    let byKey = queues.get(store);
    if (byKey === undefined) {
      byKey = new Map();
      queues.set(store, byKey);
    }
    const queueKey = options.sessionId === undefined ? sessionKey : `${sessionKey}\u0000${options.sessionId}`;
    let queue = byKey.get(queueKey);
    if (queue === undefined) {
      queue = { items: [], flushing: false };
      byKey.set(queueKey, queue);
    }
    underWay++;
    queue.items.push({
      prepared,
      entry: options.entry,
      warn: options.onWarning ?? emitWarning,
      resolve: (stored) => {
        underWay--;
        resolve(stored);
      },
      reject: (error) => {
        underWay--;
        reject(error);
      },
    });
    if (!queue.flushing) void flush(store, { key: sessionKey, sessionId: options.sessionId, queueKey }, queue, byKey);
  });
}

interface QueueName {
  key: string;
  sessionId: string | undefined;
  queueKey: string;
}

async function flush(store: SessionStore, name: QueueName, queue: Queue, byKey: Map<string, Queue>): Promise<void> {
  const { key } = name;
  queue.flushing = true;
  // Let the calls of the current synchronous run join the first write (later ones join the
  // next write, queued while this one is in flight). A microtask, not an event-loop turn.
  await Promise.resolve();
  while (queue.items.length > 0) {
    const batch = queue.items.splice(0);
    try {
      const target = await targetOf(store, key, name.sessionId, batch[0]?.entry);
      const { stored, failure } = await writeBatch(store, key, target, batch);
      if (failure !== undefined) warnUnrecorded(store, target, batch, failure);
      batch.forEach((item, index) => item.resolve(stored[index] as StoredMessage));
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }
  queue.flushing = false;
  byKey.delete(name.queueKey);
}

interface Target {
  sessionId: string;
  /** The `sessionFile` to record on the entry when it has none. */
  sessionFile: string;
  /** The transcript's absolute path. */
  file: string;
  /** The entry as just read (or as the caller knew it: `AppendOptions.entry`), when it holds the session. */
  entry?: SessionEntry | undefined;
}

/** The session's entry (created when absent) and the transcript it appends to. */
async function targetOf(store: SessionStore, key: string, sessionId: string | undefined, known: SessionEntry | undefined): Promise<Target> {
  let entry: SessionEntry | undefined = sessionId !== undefined && known?.sessionId === sessionId ? known : await store.get(key);
  entry ??= await store.update(key, (current) => (current === undefined ? (sessionId === undefined ? {} : { sessionId }) : null));
  if (entry === undefined) throw new HubError("E_IO", `could not create the session entry "${key}" in ${store.path}`, { file: store.path });
  if (sessionId !== undefined && entry.sessionId !== sessionId) {
    const sessionFile = transcriptFileName(sessionId, topicIdOf(key));
    return { sessionId, sessionFile, file: resolveTranscriptPath(store.dir, { sessionId, sessionFile }) };
  }
  const sessionFile = sessionFileOf(key, entry);
  const file = resolveTranscriptPath(store.dir, { sessionId: entry.sessionId, sessionFile });
  return { sessionId: entry.sessionId, sessionFile, file, entry };
}

/**
 * Writes one batch under the transcript's cross-process lock and records it in the store
 * before the lock is released (so that whoever archives the transcript under that lock sees
 * the entry that uses it); returns the stored messages and the store's failure, if any.
 */
async function writeBatch(store: SessionStore, key: string, target: Target, batch: Pending[]): Promise<{ stored: StoredMessage[]; failure?: unknown }> {
  const { file } = target;
  return withLeasedLock(file, TRANSCRIPT_LOCK, async (lock) => {
    // On the fast path the store's record runs while the line is synced; else after it.
    let recorded = false;
    let failure: unknown;
    const recordIt = async (stored: StoredMessage[]): Promise<void> => {
      recorded = true;
      try {
        await record(store, key, target, stored);
      } catch (error) {
        failure = error;
      }
    };
    const sync = store.durable ? { inline: store.syncOnLoop, othersWaiting: underWay > batch.length } : undefined;
    const written = (await appendKnownTail(file, batch, lock, sync, recordIt)) ?? (await appendReadingTail(store, key, target, batch, lock));
    const { stored, created } = written;
    if (created && store.durable) await syncDir(path.resolve(store.dir));
    if (!recorded) await recordIt(stored);
    return failure === undefined ? { stored } : { stored, failure };
  });
}

/**
 * The general path of `writeBatch`: the transcript opened as a file handle (a symlink checked,
 * the file created when missing), its tail read unless this process wrote it last, a torn or
 * headerless file repaired, the lines appended and synced.
 */
async function appendReadingTail(store: SessionStore, key: string, target: Target, batch: Pending[], lock: HeldLock): Promise<Written> {
  const { file } = target;
  const handle = await openTranscript(path.resolve(store.dir), file, "append");
  let created = false;
  try {
    const stamp = stampOf(handle.fd);
    const known = takeKnownTail(file);
    const tail = known?.stamp === stamp ? { restart: false, torn: false, garbage: false, lastId: known.lastId } : await readTail(handle);
    let text = tail.torn ? "\n" : "";
    if (tail.restart) {
      if (tail.garbage) await copyAside(file, store.now(), store.durable);
      await handle.truncate(0);
      created = true;
      text += `${headerLine(target.sessionId, key, store.now())}\n`;
    }
    const lines = linesOf(batch, tail.lastId);
    assertLockHeld(lock, file);
    await appendAll(handle, text + lines.text);
    if (store.durable) await handle.datasync();
    rememberTail(file, stampOf(handle.fd), lines.lastId);
    return { stored: lines.stored, created };
  } catch (error) {
    if (error instanceof HubError) throw error;
    throw ioFailure("append to", file, error);
  } finally {
    await handle.close();
  }
}

/**
 * Records the batch in the store (activity clock, `sessionFile`) in one coalesced write. An
 * entry that was reset meanwhile is left alone: its messages went to the transcript it had.
 * An entry deleted meanwhile (a prune, an operator) is recreated on that transcript: the
 * messages were acknowledged, so they must stay in a live session, not only in an archive.
 */
async function record(store: SessionStore, key: string, target: Target, stored: StoredMessage[]): Promise<void> {
  await store.recordActivity(key, target.sessionId, activityOf(stored, store.now()), target.sessionFile, target.entry);
}

/** Where stored messages move the activity clock: to the newest, but at most to now + the skew (a sender's clock may be wrong). */
export function activityOf(stored: readonly StoredMessage[], now: number): number {
  return Math.min(Math.max(...stored.map((m) => m.timestamp)), now + FUTURE_SKEW_MS);
}

/** The line is written but the store update failed: the callers are told, not rejected. */
function warnUnrecorded(store: SessionStore, target: Target, batch: Pending[], error: unknown): void {
  const code = error instanceof HubError ? error.code : "E_IO";
  const message = `appended to ${target.file}, but updating ${store.path} failed: ${(error as Error).message}; the message is in the transcript, the activity clock moves with the next write`;
  for (const warn of new Set(batch.map((item) => item.warn))) warn({ code, message, file: store.path });
}
