/**
 * The receive pipeline of `createHub` for one inbound message, on the backend: migrate a
 * legacy key → one `backend.turn`: de-duplicate (a claim that is final once the message is in
 * the transcript) → trigger or freshness → reset (an idle or daily one confirmed against the
 * transcript) → route metadata (activity clock untouched) → append the user's message (which
 * moves the clock). Called in the conversation's turn (see `inOrder` in hub.ts).
 */
import type { Backend, InboundIdentity, TurnResult } from "../backend/types.js";
import type { HubConfig } from "../config/schema.js";
import { parseSessionKey } from "../keys/index.js";
import { resolveResetPolicy } from "../lifecycle/reset-policy.js";
import { parseSendCommand } from "../lifecycle/send-policy.js";
import { matchResetTrigger } from "../lifecycle/triggers.js";
import type { AppendMessageInput, StoredMessage } from "../backend/shared/transcript-format.js";
import { defined, type describeInbound } from "./inbound.js";
import type { TurnMemory } from "./reply.js";
import { applyTurn, UnconfirmedReset, type TranscriptActivity, type TurnInput, type TurnOutcome } from "./turn.js";
import type { InboundMessage, ReceiveResult } from "./types.js";

type Inbound = ReturnType<typeof describeInbound>;

/** How often a turn may ask the transcript before a reset follows the entry's clock alone (each ask is about another session). */
const MAX_CONFIRMATIONS = 3;

/** What the pipeline needs of the hub. */
export interface ReceiveContext {
  backend: Backend;
  sessionConfig: NonNullable<HubConfig["session"]>;
  models: string[];
  dedupeTtlMs: number | undefined;
  turns: TurnMemory;
}

/**
 * One turn of `backend`, with an idle or daily reset confirmed by the transcript: the first
 * attempt needs no extra read; only a turn that would reset asks `lastActivity` and runs again
 * (its claim, withdrawn by the failed attempt, is taken again).
 */
async function confirmedTurn(
  backend: Backend,
  key: string,
  claim: { identity: InboundIdentity; ttlMs?: number | undefined } | undefined,
  turn: Omit<TurnInput, "confirm">,
  messages: readonly AppendMessageInput[],
): Promise<TurnResult<TurnOutcome>> {
  let transcript: TranscriptActivity | undefined;
  for (let asked = 0; ; asked++) {
    const input = asked < MAX_CONFIRMATIONS ? { ...turn, confirm: { transcript } } : turn;
    try {
      return await backend.turn({
        key,
        claim,
        decide: (current) => {
          const outcome = applyTurn(current, input);
          return { entry: outcome.changed ? outcome.entry : undefined, value: outcome };
        },
        messages,
      });
    } catch (error) {
      if (!(error instanceof UnconfirmedReset)) throw error;
      transcript = { sessionId: error.sessionId, at: await backend.lastActivity(key, error.sessionId) };
    }
  }
}

/** The receive pipeline for one message, in its conversation's turn. */
export async function receiveMessage(hub: ReceiveContext, message: InboundMessage<string>, inbound: Inbound, now: number): Promise<ReceiveResult> {
  const sessionKey = inbound.sessionKey;
  await hub.backend.migrateKeys(sessionKey, defined({ caseSensitiveChannels: hub.sessionConfig.caseSensitiveChannels }));
  const authorized = message.isAuthorized !== false;
  const send = authorized ? parseSendCommand(message.text) : null;
  const trigger =
    authorized && !send
      ? matchResetTrigger(message.text, defined({ triggers: hub.sessionConfig.resetTriggers, isGroup: inbound.route.chatType !== "direct", models: hub.models }))
      : null;
  const policy = resolveResetPolicy(hub.sessionConfig, { sessionKey, channel: inbound.route.channel, isThread: message.threadId !== undefined });
  const turn = { now, policy, route: inbound.route, trigger: trigger ?? undefined, send: send?.mode, isolated: parseSessionKey(sessionKey)?.kind === "cron" };
  const body = trigger ? trigger.body : message.text;
  const userMessage: AppendMessageInput = {
    role: "user",
    content: body === "" ? message.text : body,
    timestamp: message.timestamp ?? now,
    meta: defined({
      channel: inbound.route.channel,
      accountId: message.accountId,
      senderId: message.senderId ?? (inbound.route.chatType === "direct" ? inbound.route.to : undefined),
      senderName: message.senderName,
      gatewayMessageId: message.messageId as string | undefined,
      threadId: message.threadId,
    }),
  };
  const identity = defined({ channel: inbound.route.channel, accountId: message.accountId, peerId: inbound.route.to, messageId: message.messageId }) as InboundIdentity;
  const claim = message.messageId === undefined ? undefined : { identity, ttlMs: hub.dedupeTtlMs };
  const result = await confirmedTurn(hub.backend, sessionKey, claim, turn, [userMessage]);
  if (result.duplicate) return { duplicate: true };
  const { entry, value: outcome } = result;
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
    message: result.messages[0] as StoredMessage,
  };
}
