/**
 * The backend seam: the one interface everything above storage (the façade, the CLI, the
 * dashboard) talks to. A backend keeps session entries, transcripts, inbound claims and the
 * gateway registry of one agent. "Resolved" always means committed: durable when the backend
 * is durable, visible to every reader in every process, and never half-applied. A rejected
 * call changes nothing, unless its TSDoc says otherwise. Errors are `HubError`s.
 */
import type { DeletedSession } from "../lifecycle/delete-sessions.js";
import type { PruneOptions, PruneReport } from "../lifecycle/maintenance.js";
import type { InboundIdentity, PruneResult } from "./shared/inbound-identity.js";
import type { SessionEntry, SessionPatch } from "./shared/entry.js";
import type { GatewayInput, GatewayRecord } from "./file/gateways/gateways.js";
import type { KeyMigrationOptions, KeyMigrationResult } from "./file/store/key-migration.js";
import type { AppendMessageInput, StoredMessage } from "./shared/transcript-format.js";
import type { ReadMessagesOptions, ReadMessagesResult } from "./file/transcripts/transcript-read.js";
import type { RunLeases } from "./run-lease.js";

export type { DeletedSession, InboundIdentity, KeyMigrationOptions, KeyMigrationResult, PruneOptions, PruneReport, PruneResult, SessionEntry, SessionPatch };
export type { AppendMessageInput, GatewayInput, GatewayRecord, StoredMessage };
export type { RunLease, RunLeaseAbort, RunLeases } from "./run-lease.js";
export { isLiveBackend, type Change, type LiveBackend, type WatchOptions } from "./change-feed.js";

/** A page of transcript messages, oldest first, with opaque `before`/`after`/`tail` cursors. */
export type MessagePage = ReadMessagesResult;
/** `limit` (default 50), one of `before`/`after` (cursors from an earlier page), `threadId`. */
export type MessageQuery = ReadMessagesOptions;

export interface SessionRow {
  key: string;
  entry: SessionEntry;
}

export interface SessionQuery {
  /** Entries whose `channel` (else the channel in their key) is this one, compared normalized. */
  channel?: string | undefined;
  /** Entries whose `chatType` (else the chat type their key implies) is this one. */
  chatType?: "direct" | "group" | "channel" | undefined;
  /** Entries whose activity clock is at most this many ms before `now` (> 0). */
  activeWithinMs?: number | undefined;
  /** The clock `activeWithinMs` counts from. Default: the backend's `now()`. */
  now?: number | undefined;
  /** At most this many rows (a positive integer). Default: all. */
  limit?: number | undefined;
  /** Skip this many matching rows first (an integer >= 0). Default 0. */
  offset?: number | undefined;
}

export interface SessionPage {
  /** Newest `updatedAt` first; ties by key, ascending (a stable order for paging). */
  sessions: SessionRow[];
  /** How many entries match the query, ignoring `limit` and `offset`. */
  total: number;
}

/**
 * What `update(keys, fn)` hands to `fn`: the named entries only. Reading or writing any other
 * key throws `E_INVALID_ARGUMENT`. Entries read are copies, free to modify.
 */
export interface EntryDraft {
  get(key: string): SessionEntry | undefined;
  /** Stores a whole entry (validated: `E_INVALID_ENTRY`); returns a copy of it. */
  set(key: string, entry: SessionEntry): SessionEntry;
  /**
   * Merges a patch (a field set to `undefined` is removed) over the entry, creating it when
   * absent (a new `sessionId`, `updatedAt` = now). `updatedAt` moves only if the patch sets it.
   */
  patch(key: string, patch: SessionPatch): SessionEntry;
  /** Removes the entry; true when it existed. Its transcripts are left alone. */
  delete(key: string): boolean;
}

/** What a turn's `decide` returns: the entry to store (absent: keep the current one) and a value for the caller. */
export interface TurnDecision<T> {
  entry?: SessionEntry | undefined;
  value: T;
}

export interface TurnInput<T> {
  key: string;
  /**
   * De-duplicate an inbound message: a live claim on it makes the turn a duplicate. A claim
   * is final only once its message is in the transcript: a claim left by a turn that never
   * stored its messages (its process died between the two) makes the redelivery a duplicate
   * only while its owner may still be working on it (at most `DEDUPE_PENDING_MS`, 2 minutes;
   * less when the backend knows the owner is gone); after that the redelivery is processed.
   * The claimed message is the one of `messages` whose `meta.gatewayMessageId` is the
   * identity's `messageId` (a transactional backend, committing claim and append at once,
   * never leaves such a claim).
   */
  claim?: { identity: InboundIdentity; ttlMs?: number | undefined } | undefined;
  /**
   * The reset decision and the route metadata, on the current entry. Synchronous and free of
   * side effects: a backend may run it more than once (on a cached entry, then under its lock
   * or transaction); only the run that commits counts. A throw ends the turn with that error.
   */
  decide: (current: SessionEntry | undefined) => TurnDecision<T>;
  /**
   * Appended to the decided entry's session (at least one): given, or made from the decided
   * entry and value (e.g. a reply's routing and send decision), synchronously, once.
   */
  messages: readonly AppendMessageInput[] | ((entry: SessionEntry, value: T) => readonly AppendMessageInput[]);
}

export type TurnResult<T> =
  | { duplicate: true }
  | { duplicate: false; key: string; entry: SessionEntry; messages: StoredMessage[]; value: T };

/** Everything a backend keeps, and the conversation's run lease (`RunLeases`, run-lease.ts). */
export interface Backend extends RunLeases {
  /** `"file"`, `"postgres"`... */
  readonly kind: string;
  /** Where the data lives, for messages: the sessions.json path, a database and schema. */
  readonly location: string;
  /** The normalized agent id whose sessions this backend holds. */
  readonly agentId: string;
  /** Whether a resolved write survives a crash or power loss (fsync, synchronous commit). */
  readonly durable: boolean;
  /** The backend's clock (epoch ms): new entries, `touch` without a time, claims. */
  readonly now: () => number;

  // ---- session entries ----------------------------------------------------------------

  /** A copy of the entry of `key`, or undefined. */
  get(key: string): Promise<SessionEntry | undefined>;
  /** Copies of several entries (undefined for absent ones), read as one consistent snapshot. */
  getMany(keys: readonly string[]): Promise<Array<SessionEntry | undefined>>;
  /** The entries matching `query` (copies), newest activity first. */
  list(query?: SessionQuery): Promise<SessionPage>;
  /**
   * An atomic read-modify-write of the entries of `keys`, and of no other: `fn` runs on
   * their current state, and its changes commit together, or (when it throws) not at all.
   * `fn` is synchronous and may run more than once (only the committed run counts); it must
   * not have side effects. Resolves with `fn`'s value once the change is committed.
   * Concurrent updates of one key never lose each other's changes.
   */
  update<T>(keys: string | readonly string[], fn: (draft: EntryDraft) => T): Promise<T>;
  /**
   * Moves the activity clock of `key` to `at` (default now) if its entry still has
   * `sessionId`; never backwards. Resolves true once the clock is at least `at`; false, with
   * nothing changed, when the key is absent or holds another session (reset or deleted).
   */
  touch(key: string, sessionId: string, at?: number): Promise<boolean>;
  /**
   * Removes the entries of `keys` (absent ones are skipped) and archives their transcripts,
   * except those a remaining entry still uses. Resolves with what was removed.
   */
  delete(keys: readonly string[], options?: { dryRun?: boolean | undefined }): Promise<DeletedSession[]>;
  /**
   * Moves the entry stored under legacy spellings of `canonicalKey` (SPEC 3.1) to it: the
   * newest of them wins, the others are removed, in one commit. Cheap when nothing moves.
   * On `caseSensitiveChannels` (default Matrix and Signal) a lower-cased spelling moves only
   * when its entry delivers to exactly this conversation.
   */
  migrateKeys(canonicalKey: string, options?: KeyMigrationOptions): Promise<KeyMigrationResult>;

  // ---- one inbound or outbound turn ---------------------------------------------------

  /**
   * One conversation turn: claim the inbound message (if `claim`), decide the entry
   * (`decide`), append `messages` to the decided session and move its clock. A duplicate
   * resolves `{ duplicate: true }` and changes nothing. When the
   * turn fails before its messages are stored it rejects and leaves no claim behind, so a
   * redelivery is processed. A transactional backend commits the whole turn at once; the
   * file backend runs the steps in order (claim, locked update, append).
   */
  turn<T>(input: TurnInput<T>): Promise<TurnResult<T>>;

  // ---- transcripts ---------------------------------------------------------------------

  /**
   * Appends `messages`, in order, to the transcript of session `sessionId` of `key`, each
   * chained to the entry before it (`parentId`), even with other writers. Creates the entry
   * (this `sessionId`, clock at now) when the key has none; while the entry has this session,
   * its clock moves to the newest message's timestamp (never backwards); an entry that has
   * moved on (reset) is left alone. Resolves with the stored messages (ids assigned) once
   * they are committed.
   */
  append(key: string, sessionId: string, messages: readonly AppendMessageInput[]): Promise<StoredMessage[]>;
  /**
   * A page of the current session's transcript of `key`: the newest `limit` messages, or the
   * page before/after a cursor, optionally one thread only. An absent key yields no messages.
   */
  read(key: string, query?: MessageQuery): Promise<MessagePage>;
  /** The timestamp of the newest message of session `sessionId` of `key`; undefined when it has none. */
  lastActivity(key: string, sessionId: string): Promise<number | undefined>;
  /**
   * Retires the transcript of session `sessionId` of `key` (files: renamed to
   * `<file>.deleted.<timestamp>`); entries are left alone. Resolves with where it went
   * (empty when there was nothing to archive).
   */
  archive(key: string, sessionId: string): Promise<string[]>;

  // ---- inbound de-duplication ----------------------------------------------------------

  /**
   * Claims an inbound message: true for its first delivery, false while an earlier claim is
   * live (`ttlMs`, default 24 h). Of concurrent claims of one message, in any process,
   * exactly one resolves true. Resolved true means the claim is committed. A claim taken here
   * and never followed by its message is, for a `turn` redelivering that message, an
   * unfinished claim (see `TurnInput.claim`).
   */
  claim(identity: InboundIdentity, options?: { ttlMs?: number | undefined; now?: number | undefined }): Promise<boolean>;
  /** Withdraws a claim (the message could not be processed); true when one was removed. */
  release(identity: InboundIdentity): Promise<boolean>;
  /** Removes expired claims. */
  pruneClaims(options?: { now?: number | undefined }): Promise<PruneResult>;

  // ---- gateway registry ----------------------------------------------------------------

  /** Registers (or re-registers, keeping `registeredAt`) a gateway, active. */
  registerGateway<C = Record<string, unknown>>(input: GatewayInput<C>): Promise<GatewayRecord<C>>;
  /** Marks a gateway removed; true when it was active. */
  removeGateway(gatewayId: string): Promise<boolean>;
  /** Every gateway (or the active ones), oldest registration first. */
  listGateways<C = Record<string, unknown>>(options?: { activeOnly?: boolean | undefined }): Promise<Array<GatewayRecord<C>>>;

  // ---- maintenance and lifetime --------------------------------------------------------

  /**
   * Retires stale and over-cap sessions (SPEC 4.5): never the main session nor `protect`ed
   * keys; their transcripts are archived. `dryRun` changes nothing.
   */
  prune(options?: PruneOptions): Promise<PruneReport>;
  /** Waits for writes in flight, then refuses further calls with `E_STORE_CLOSED`. */
  close(): Promise<void>;
}
