/**
 * The receive pipeline of `createHub` for one inbound message: de-duplicate (a claim that is
 * final once the message is in the transcript) → migrate a legacy key → trigger or freshness
 * → reset → route metadata (activity clock untouched) → append the user's message (which
 * moves the clock). Called in the conversation's turn (see `inOrder` in hub.ts).
 */
import type { HubConfig } from "../config/schema.js";
import { parseSessionKey } from "../keys/index.js";
import { resolveResetPolicy } from "../lifecycle/reset-policy.js";
import { parseSendCommand } from "../lifecycle/send-policy.js";
import { matchResetTrigger } from "../lifecycle/triggers.js";
import { claimInbound, releaseInbound, type InboundIdentity } from "../store/dedupe.js";
import { migrateSessionKey } from "../store/key-migration.js";
import type { SessionStore, StoreWarning } from "../store/session-store.js";
import { appendMessage } from "../store/transcript-append.js";
import { findInboundMessage } from "../store/transcript-search.js";
import { defined, type describeInbound } from "./inbound.js";
import type { TurnMemory } from "./reply.js";
import { applyTurn } from "./turn.js";
import type { InboundMessage, ReceiveResult } from "./types.js";

type Inbound = ReturnType<typeof describeInbound>;

/** What the pipeline needs of the hub. */
export interface ReceiveContext {
  store: SessionStore;
  sessionConfig: NonNullable<HubConfig["session"]>;
  models: string[];
  dedupeTtlMs: number | undefined;
  turns: TurnMemory;
  warn: (warning: StoreWarning) => void;
}

/** The receive pipeline for one message, in its conversation's turn. */
export async function receiveMessage(hub: ReceiveContext, message: InboundMessage<string>, inbound: Inbound, now: number): Promise<ReceiveResult> {
  if (message.messageId === undefined) return handle(hub, message, inbound, now, () => undefined);
  const claim = defined({ channel: inbound.route.channel, accountId: message.accountId, peerId: inbound.route.to, messageId: message.messageId });
  const identity = claim as InboundIdentity;
  // Asked only for a claim left unfinished by a process that is gone (or an old one).
  const delivered = () =>
    findInboundMessage(hub.store, inbound.sessionKey, {
      channel: inbound.route.channel,
      accountId: message.accountId,
      senderId: message.senderId ?? (inbound.route.chatType === "direct" ? inbound.route.to : undefined),
      gatewayMessageId: message.messageId as string | number,
    });
  if (!(await claimInbound(hub.store, identity, defined({ ttlMs: hub.dedupeTtlMs, now, delivered })))) return { duplicate: true };
  let appended = false;
  try {
    return await handle(hub, message, inbound, now, () => (appended = true));
  } catch (error) {
    // Not in the transcript: withdraw the claim so the channel's redelivery is processed.
    if (!appended) await releaseInbound(hub.store, identity);
    throw error;
  }
}

/** Everything after de-duplication; `onAppended` marks the point of no return. */
async function handle(hub: ReceiveContext, message: InboundMessage<string>, inbound: Inbound, now: number, onAppended: () => void): Promise<ReceiveResult> {
  const sessionKey = inbound.sessionKey;
  await migrateSessionKey(hub.store, sessionKey, { caseSensitiveChannels: hub.sessionConfig.caseSensitiveChannels });
  const authorized = message.isAuthorized !== false;
  const send = authorized ? parseSendCommand(message.text) : null;
  const trigger =
    authorized && !send
      ? matchResetTrigger(message.text, defined({ triggers: hub.sessionConfig.resetTriggers, isGroup: inbound.route.chatType !== "direct", models: hub.models }))
      : null;
  const policy = resolveResetPolicy(hub.sessionConfig, { sessionKey, channel: inbound.route.channel, isThread: message.threadId !== undefined });
  const turn = { now, policy, route: inbound.route, trigger: trigger ?? undefined, send: send?.mode, isolated: parseSessionKey(sessionKey)?.kind === "cron" };
  // Most messages change nothing before their append (fresh session, same route): decided
  // on the cached entry, they skip the locked write. A change is decided again inside it.
  let outcome = applyTurn(await hub.store.get(sessionKey), turn);
  if (outcome.changed) {
    outcome = await hub.store.mutate((draft) => {
      const result = applyTurn(draft.get(sessionKey), turn);
      if (result.changed) draft.set(sessionKey, result.entry);
      return result;
    });
  }
  const body = trigger ? trigger.body : message.text;
  const stored = await appendMessage(hub.store, sessionKey, {
    role: "user",
    content: body === "" ? message.text : body,
    timestamp: message.timestamp ?? now,
    meta: defined({
      channel: inbound.route.channel,
      accountId: message.accountId,
      senderId: message.senderId ?? (inbound.route.chatType === "direct" ? inbound.route.to : undefined),
      senderName: message.senderName,
      gatewayMessageId: message.messageId,
      threadId: message.threadId,
    }),
  }, { onWarning: hub.warn });
  onAppended();
  const entry = (await hub.store.get(sessionKey)) ?? outcome.entry;
  hub.turns.remember(sessionKey, entry);
  return {
    duplicate: false,
    sessionKey,
    sessionId: entry.sessionId,
    entry,
    isNewSession: outcome.resetReason !== undefined,
    ...(outcome.resetReason === undefined ? {} : { resetReason: outcome.resetReason }),
    body,
    ...(trigger?.model === undefined ? {} : { model: trigger.model }),
    ...(send?.mode === undefined ? {} : { sendPolicy: send.mode }),
    message: stored,
  };
}
