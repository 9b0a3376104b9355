/**
 * The public shape of the sessions.json store: its options, its warnings and the
 * `SessionStore` interface that `openSessionStore` returns (session-store.ts).
 */
import type { SessionEntry, SessionPatch } from "../../shared/entry.js";
import type { StoreDraft } from "./draft.js";
import type { MetricsObserver } from "../../../metrics/metrics.js";

export interface StoreWarning {
  /** `E_CORRUPT_STORE` (a file was quarantined), `E_INVALID_ENTRY` (entries kept but hidden, or replaced and saved aside). */
  code: string;
  message: string;
  file?: string;
}

export interface SessionStoreOptions {
  /** Explicit sessions.json path; `{agentId}` and a leading `~` are expanded. */
  path?: string | undefined;
  /** Default: env `HUB_STATE_DIR`, else `~/.hub`. */
  stateDir?: string | undefined;
  /** Default `"main"`; the store is `<stateDir>/agents/<agentId>/sessions/sessions.json`. */
  agentId?: string | undefined;
  /** How long a parsed store may be reused (ms). Default 45 000, env `HUB_SESSION_CACHE_TTL_MS`; 0 disables. */
  cacheTtlMs?: number | undefined;
  /** fsync before rename (store and transcript appends). Default true. */
  durable?: boolean | undefined;
  /**
   * Whether a durable append that is alone in this process may wait for its fdatasync on the
   * event loop, as a SQLite commit does (faster: no trip through the thread pool), never after
   * a slow sync (fs/datasync.ts). Default true; false always waits in the thread pool.
   */
  syncOnLoop?: boolean | undefined;
  /** Told about recovered corruption and hidden entries. Default: `process.emitWarning`. */
  onWarning?: ((warning: StoreWarning) => void) | undefined;
  /** The clock for `updatedAt` of new entries and `touch`. Default `Date.now`. */
  now?: (() => number) | undefined;
  /** How long a write waits for the cross-process lock (ms). Default 60 000. */
  lockTimeoutMs?: number | undefined;
  /** A lock not refreshed for this long is stale even if its owner lives (ms). Default 10 000. */
  staleMs?: number | undefined;
  /**
   * The largest store loaded or written (bytes): a bigger file is refused with
   * `E_STORE_TOO_LARGE` before it is read, and a write that would make it bigger is refused
   * (nothing written). Default and maximum 500 MiB (a JavaScript string holds ~512 MB).
   */
  maxStoreBytes?: number | undefined;
  /** Never modify files: writes reject, a corrupt store throws `E_CORRUPT_STORE` instead of being recovered. Default false. */
  readOnly?: boolean | undefined;
  /**
   * Recover (quarantine and replace) a file that does not parse even when it does not look
   * like a session store: not named `sessions.json` and not a JSON object. Default false: such
   * a file throws `E_NOT_A_STORE` and is never renamed or rewritten.
   */
  forceRecovery?: boolean | undefined;
  /**
   * How long an activity-clock move may live only in the clock journal (`sessions.json.clock`)
   * before it is folded into `sessions.json` (ms). Our readers see it at once either way; a
   * reader of `sessions.json` alone (clawdbot) lags by at most this. Default 30 000; 0 writes
   * `sessions.json` on every move, as before the journal.
   */
  activityFlushMs?: number | undefined;
  /** Told the time of each store write (`storeWrite`) and lock wait (`lockWait`), and each journal fold (`compactions`). Default: none. */
  observer?: MetricsObserver | undefined;
}

export type PatchFunction = (current: SessionEntry | undefined) => SessionPatch | null | undefined;

export interface StoreStats {
  /** Times the file was read and parsed from disk. */
  readonly diskReads: number;
  /** Times the file was written (one per coalesced batch with changes). */
  readonly writes: number;
}

export interface SessionStore {
  /** Absolute path of sessions.json. */
  readonly path: string;
  /** The sessions directory (where transcripts live). */
  readonly dir: string;
  readonly agentId: string;
  readonly durable: boolean;
  /** `syncOnLoop`. */
  readonly syncOnLoop: boolean;
  readonly now: () => number;
  readonly stats: StoreStats;
  /** A copy of the entry, or undefined. */
  get(key: string): Promise<SessionEntry | undefined>;
  /** Copies of several entries (`undefined` for absent ones) from one validated read. */
  getMany(keys: readonly string[]): Promise<Array<SessionEntry | undefined>>;
  /** Every entry, newest `updatedAt` first (copies). */
  list(): Promise<Array<{ key: string; entry: SessionEntry }>>;
  /**
   * Merges a patch (a field set to `undefined` is removed) or the result of `fn(current)`
   * (`null` = no change). Creates the entry (new sessionId, updatedAt = now) when absent.
   * Never moves `updatedAt` unless the patch sets it. Resolves once the change is on disk.
   */
  update(key: string, patch: SessionPatch): Promise<SessionEntry>;
  update(key: string, fn: PatchFunction): Promise<SessionEntry | undefined>;
  /** Moves the activity clock (never backwards); creates the entry when absent. */
  touch(key: string, at?: number): Promise<SessionEntry>;
  /** Removes a key; true when it existed. */
  delete(key: string): Promise<boolean>;
  /**
   * Runs a synchronous `fn` over the whole store inside the next coalesced write. Its changes
   * are applied only if it returns; if it throws, only this call rejects.
   */
  mutate<T>(fn: (draft: StoreDraft) => T): Promise<T>;
  /**
   * Moves the activity clock of `sessionId` under `key` to `at` (never backwards) and records
   * `sessionFile` when the entry has none. An entry that holds another session is left alone;
   * an absent one is created on that session. A move that changes nothing else is appended to
   * the clock journal instead of rewriting the store (unless `activityFlushMs` is 0).
   * `known`: the entry as the caller just read it, which saves one read of the store.
   */
  recordActivity(key: string, sessionId: string, at: number, sessionFile: string, known?: SessionEntry): Promise<void>;
  /**
   * Moves the activity clock of `sessionId` under `key` to `at` (never backwards); false, and
   * nothing changes, when the entry is absent or holds another session. Like
   * `recordActivity`, the move goes to the clock journal (unless `activityFlushMs` is 0).
   */
  touchSession(key: string, sessionId: string, at: number): Promise<boolean>;
  /** Folds the clock journal into `sessions.json` now; false when there was nothing to fold. */
  compact(): Promise<boolean>;
  /** Waits for queued writes, folds the clock journal, then refuses further calls. */
  close(): Promise<void>;
}
