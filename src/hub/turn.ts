/**
 * What one inbound message does to its session entry, decided inside the store's
 * read-modify-write so that two messages racing for one session cannot both reset it:
 * reset (trigger, end mark, daily/idle freshness), the `/send` override, and the route and
 * origin metadata. An idle or daily reset is confirmed against the transcript first (the
 * entry's clock may lag or be lost; the transcript is the truth). Pure; the activity clock is
 * left to the transcript append.
 */
import { randomUUID } from "node:crypto";
import { buildGroupDisplayName } from "../keys/index.js";
import { applyReset } from "../lifecycle/apply-reset.js";
import { FUTURE_SKEW_MS } from "../lifecycle/defaults.js";
import { evaluateFreshness } from "../lifecycle/freshness.js";
import type { ResetReason, ResolvedResetPolicy } from "../lifecycle/types.js";
import type { SessionEntry, SessionPatch } from "../backend/shared/entry.js";
import { defined } from "./inbound.js";
import { conversationLabel } from "./origin-label.js";

export interface TurnRoute {
  channel: string;
  chatType: "direct" | "group" | "channel";
  /** The peer (direct) or group/channel id replies go to. */
  to?: string | undefined;
  accountId?: string | undefined;
  threadId?: string | undefined;
  from?: string | undefined;
  senderId?: string | undefined;
  senderName?: string | undefined;
  groupSubject?: string | undefined;
}

export interface TurnInput {
  now: number;
  policy: ResolvedResetPolicy;
  route: TurnRoute;
  /** A reset trigger matched (and the sender may reset). */
  trigger?: { model?: string | undefined } | undefined;
  /** An isolated run (a `cron:` key): every message starts a fresh session. */
  isolated?: boolean | undefined;
  /** A `/send` command: the new per-session override (`inherit` clears it). */
  send?: "allow" | "deny" | "inherit" | undefined;
  /**
   * Confirm idle and daily resets against the transcript: `transcript` is what it says of one
   * session. A reset of any other session throws `UnconfirmedReset` (ask, then decide again).
   * Absent: resets follow the entry's clock alone.
   */
  confirm?: { transcript?: TranscriptActivity | undefined } | undefined;
}

/** The newest message of a session's transcript (`at` undefined: it has none). */
export interface TranscriptActivity {
  sessionId: string;
  at: number | undefined;
}

/** Thrown by `applyTurn` when a reset of `sessionId` needs the transcript's word first. */
export class UnconfirmedReset extends Error {
  constructor(readonly sessionId: string) {
    super(`the reset of session ${sessionId} needs the transcript's last activity`);
  }
}

export interface TurnOutcome {
  entry: SessionEntry;
  resetReason?: ResetReason;
  /** Whether anything differs from the stored entry (no write needed when false). */
  changed: boolean;
}

/** Route and origin metadata of the message (never `updatedAt`). */
export function routePatch(route: TurnRoute): SessionPatch {
  const isGroup = route.chatType !== "direct";
  const delivery = defined({ channel: route.channel, to: route.to, accountId: route.accountId, threadId: route.threadId });
  const label = conversationLabel(route);
  return {
    chatType: route.chatType,
    channel: route.channel,
    lastChannel: route.channel,
    lastTo: route.to,
    lastAccountId: route.accountId,
    // A message outside any thread clears the last thread: replies go to the main conversation.
    lastThreadId: route.threadId,
    deliveryContext: delivery,
    origin: defined({ label, provider: route.channel, chatType: route.chatType, from: route.from, to: route.to, accountId: route.accountId, threadId: route.threadId }),
    ...(isGroup
      ? defined({
          groupId: route.to,
          subject: route.groupSubject,
          displayName: buildGroupDisplayName({ channel: route.channel, subject: route.groupSubject, groupId: route.to }),
        })
      : defined({ displayName: route.senderName })),
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function whyReset(current: SessionEntry | undefined, input: TurnInput): ResetReason | undefined {
  if (current === undefined || current.endedAt !== undefined || input.isolated) return "new";
  if (input.trigger) return "trigger";
  const freshness = evaluateFreshness({ updatedAt: current.updatedAt, now: input.now, policy: input.policy });
  if (freshness.fresh || input.confirm === undefined) return freshness.reason;
  const known = input.confirm.transcript;
  if (known?.sessionId !== current.sessionId) throw new UnconfirmedReset(current.sessionId);
  if (known.at === undefined) return freshness.reason; // no message says otherwise
  const truth = evaluateFreshness({ updatedAt: known.at, now: input.now, policy: input.policy });
  return truth.fresh ? undefined : truth.reason;
}

/** A clock far in the future (a hand edit) that the transcript proved wrong goes back to the transcript's time. */
function repairedClock(current: SessionEntry, input: TurnInput): number {
  const at = input.confirm?.transcript?.sessionId === current.sessionId ? input.confirm.transcript.at : undefined;
  return at !== undefined && current.updatedAt > input.now + FUTURE_SKEW_MS ? at : current.updatedAt;
}

/** The entry after this message (before its transcript append). */
export function applyTurn(current: SessionEntry | undefined, input: TurnInput): TurnOutcome {
  const resetReason = whyReset(current, input);
  const model = input.trigger?.model;
  let entry: SessionEntry;
  if (current === undefined) entry = { sessionId: randomUUID(), updatedAt: input.now, ...(model === undefined ? {} : splitModel(model)) };
  else if (resetReason !== undefined) entry = applyReset(current, { now: input.now, model });
  // A shallow copy: only top-level fields change below, and `current` is the caller's own copy.
  else entry = { ...current, updatedAt: repairedClock(current, input) };
  const patch: Record<string, unknown> = { ...routePatch(input.route) };
  if (input.send !== undefined) patch.sendPolicy = input.send === "inherit" ? undefined : input.send;
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) delete entry[field];
    else entry[field] = value;
  }
  // Only the clock and the patched fields can differ from `current` (compared field by field,
  // not as two whole entries: a fat entry is ~8 KB of JSON).
  const changed =
    resetReason !== undefined ||
    current === undefined ||
    entry.updatedAt !== current.updatedAt ||
    Object.keys(patch).some((field) => !sameJson(entry[field], current[field]));
  return { entry, changed, ...(resetReason === undefined ? {} : { resetReason }) };
}

function splitModel(model: string): Pick<SessionEntry, "modelOverride" | "providerOverride"> {
  const slash = model.indexOf("/");
  if (slash > 0 && slash < model.length - 1) return { providerOverride: model.slice(0, slash), modelOverride: model.slice(slash + 1) };
  return { modelOverride: model };
}
