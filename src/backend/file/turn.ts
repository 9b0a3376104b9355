/**
 * One turn on the file backend: claim the inbound message, decide the entry, append the
 * messages, in that order. The decision is made on the cached entry first; only when it
 * changes the entry is it made again inside the store's locked write, so two turns racing on
 * a stale entry reset it once. A turn that fails before its messages are stored withdraws
 * its claim; a turn killed between its claim and its append leaves a claim that the
 * redelivery checks against the transcript (`claimInbound`'s `delivered`).
 */
import { HubError, describeValue } from "../../errors.js";
import { BoundedMap } from "../shared/bounded-map.js";
import type { SessionEntry } from "../shared/entry.js";
import type { SessionStore } from "./store/session-store.js";
import { findInboundMessage, recentInbound, type InboundLineIdentity, type RecentInbound } from "./transcripts/transcript-search.js";
import type { AppendMessageInput, Backend, InboundIdentity, StoredMessage, TurnDecision, TurnInput, TurnResult } from "../types.js";
import { activityOf } from "./transcripts/transcript-append.js";
import { sessionFileOf } from "./transcripts/transcript-path.js";
import { keyList } from "./draft.js";

export interface TurnClaimOptions {
  ttlMs?: number | undefined;
  /** Asked only about a claim left unfinished by a process that is gone (or an old one). */
  delivered: () => Promise<boolean>;
  /** False: the claim's record needs no fsync of its own (see `claimTurn`). */
  syncRecord: boolean;
}

/** How far back, and for how many messages, a turn looks for messages whose claims a power loss took (see `claimTurn`). */
export const RESTART_CHECK_BYTES = 256 * 1024;
export const RESTART_CHECK_MESSAGES = 64;
/** Per store, the keys whose newest messages are remembered (at most 2,000: the oldest is read again when needed). */
const recentByStore = new WeakMap<SessionStore, BoundedMap<string, RecentInbound>>();

interface Steps extends Pick<Backend, "release"> {
  claim(identity: InboundIdentity, options: TurnClaimOptions): Promise<boolean>;
  /** `Backend.append`, told the entry the turn decided on (its transcript is known). */
  append(key: string, sessionId: string, messages: readonly AppendMessageInput[], entry: SessionEntry): Promise<StoredMessage[]>;
}

/**
 * How the claimed message's line is recognized in the transcript: by the meta of the turn's
 * message whose `gatewayMessageId` is the claim's `messageId` (as it will be written), else
 * by the claim's identity.
 */
function lineIdentity(identity: InboundIdentity, messages: unknown): InboundLineIdentity {
  const carrier = Array.isArray(messages)
    ? (messages as readonly AppendMessageInput[]).find((m) => m.meta?.gatewayMessageId !== undefined && String(m.meta.gatewayMessageId) === String(identity.messageId))
    : undefined;
  const meta = carrier?.meta;
  if (meta === undefined) return { channel: identity.channel, accountId: identity.accountId, gatewayMessageId: identity.messageId };
  return { channel: meta.channel ?? identity.channel, accountId: meta.accountId, senderId: meta.senderId, gatewayMessageId: meta.gatewayMessageId as string | number };
}

function assertTurn<T>(input: TurnInput<T>): void {
  if (input === null || typeof input !== "object") throw new HubError("E_INVALID_ARGUMENT", `turn input must be an object, got ${describeValue(input)}`);
  keyList(input.key);
  if (typeof input.decide !== "function") throw new HubError("E_INVALID_ARGUMENT", `turn decide must be a function, got ${describeValue(input.decide)}`);
  if (typeof input.messages !== "function") assertMessages(input.messages);
}

function assertMessages(messages: unknown): asserts messages is readonly AppendMessageInput[] {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new HubError("E_INVALID_ARGUMENT", `turn messages must be a non-empty array (or a function returning one), got ${describeValue(messages)}`);
  }
}

function checked<T>(decision: TurnDecision<T>): TurnDecision<T> {
  if (decision === null || typeof decision !== "object" || typeof (decision as { then?: unknown }).then === "function") {
    throw new HubError("E_INVALID_ARGUMENT", `turn decide must return { entry?, value } synchronously, got ${describeValue(decision)}`);
  }
  return decision;
}

function notFound(key: string, store: SessionStore): HubError {
  return new HubError("E_NOT_FOUND", `no session "${key}" in ${store.path}, and the turn created none`, { file: store.path });
}

/** The entry the turn appends to, decided on the cached entry and, when it changes, again under the lock. */
async function decideEntry<T>(store: SessionStore, key: string, decide: TurnInput<T>["decide"]): Promise<{ entry: SessionEntry; value: T }> {
  const cached = await store.get(key);
  const first = checked(decide(cached));
  if (first.entry === undefined) {
    if (cached === undefined) throw notFound(key, store);
    return { entry: cached, value: first.value };
  }
  return store.mutate((draft) => {
    const current = draft.get(key);
    const decision = checked(decide(current));
    if (decision.entry !== undefined) return { entry: draft.set(key, decision.entry), value: decision.value };
    if (current === undefined) throw notFound(key, store);
    return { entry: current, value: decision.value };
  });
}

/**
 * Claims the turn's message: true when it is new. A claim is final only once its message is
 * in the transcript: an unfinished claim of a process that is gone (or an old one) is checked
 * there, and taken over when the message is not there.
 *
 * The claim's record is a link made without an fsync (dedupe/claim-batch.ts): the message's
 * line, fsynced by the append before the turn resolves, is the durable mark. A power loss
 * may take records whose lines survived, all of them made before this process started. So
 * the first claim this store makes for a session key reads the session's newest inbound
 * messages (`RESTART_CHECK_MESSAGES` within `RESTART_CHECK_BYTES`), and every claim for the
 * key is a duplicate when its message is among them. Messages appended after that read have
 * records made after this process started, still on disk unless the machine lost power,
 * which would have stopped this process too.
 */
async function claimTurn(store: SessionStore, steps: Steps, key: string, claim: NonNullable<TurnInput<unknown>["claim"]>, messages: unknown): Promise<boolean> {
  const wanted = lineIdentity(claim.identity, messages);
  const delivered = () => findInboundMessage(store, key, wanted);
  if (!(await steps.claim(claim.identity, { ttlMs: claim.ttlMs, delivered, syncRecord: false }))) return false;
  if (!store.durable) return true;
  let recent = recentByStore.get(store);
  if (recent === undefined) recentByStore.set(store, (recent = new BoundedMap(2_000)));
  let known = recent.get(key);
  if (known === undefined) {
    known = await recentInbound(store, key, RESTART_CHECK_BYTES, RESTART_CHECK_MESSAGES);
    recent.set(key, known);
  }
  return !known.has(wanted);
}

export async function runTurn<T>(store: SessionStore, steps: Steps, input: TurnInput<T>): Promise<TurnResult<T>> {
  assertTurn(input);
  const { key, claim } = input;
  if (claim !== undefined && !(await claimTurn(store, steps, key, claim, input.messages))) return { duplicate: true };
  let decided: { entry: SessionEntry; value: T };
  let messages;
  try {
    decided = await decideEntry(store, key, input.decide);
    const list = typeof input.messages === "function" ? input.messages(decided.entry, decided.value) : input.messages;
    assertMessages(list);
    messages = await steps.append(key, decided.entry.sessionId, list, decided.entry);
  } catch (error) {
    // Nothing of this turn is in the transcript: withdraw the claim so a redelivery is processed.
    if (claim !== undefined) await steps.release(claim.identity);
    throw error;
  }
  return { duplicate: false, key, entry: appended(key, decided.entry, messages, store.now()), messages, value: decided.value };
}

/** The decided entry as the append leaves it, without reading the store again: its clock moved, its transcript named. */
function appended(key: string, entry: SessionEntry, messages: readonly StoredMessage[], now: number): SessionEntry {
  return { ...entry, sessionFile: sessionFileOf(key, entry), updatedAt: Math.max(entry.updatedAt, activityOf(messages, now)) };
}
