/**
 * `reply`: the assistant's answer, appended to the session's transcript under the send
 * policy. A session deleted while its turn was in flight (an operator ran `hub sessions
 * delete` between the `receive` and its `reply`) is recreated from the route this hub saw on
 * that turn, so the answer is recorded and can still be delivered.
 */
import type { HubConfig } from "../config/schema.js";
import { HubError } from "../errors.js";
import { resolveSendPolicy } from "../lifecycle/send-policy.js";
import { hasDeliverableContent } from "./deliverable.js";
import type { SessionEntry, SessionPatch } from "../store/entry.js";
import type { SessionStore, StoreWarning } from "../store/session-store.js";
import { appendMessage } from "../store/transcript-append.js";
import type { MessageContent, StoredMessage } from "../store/transcript-format.js";
import { defined } from "./inbound.js";
import type { ReplyInput, ReplyResult } from "./types.js";

/** What a recreated entry keeps of the deleted one: where replies go and how they are sent. */
const ROUTE_FIELDS = [
  "chatType",
  "channel",
  "lastChannel",
  "lastTo",
  "lastAccountId",
  "lastThreadId",
  "deliveryContext",
  "origin",
  "groupId",
  "subject",
  "displayName",
  "label",
  "sendPolicy",
] as const;

/**
 * The sessions this hub had a turn in: the route of the last one (the `ROUTE_FIELDS` of its
 * entry, nothing bulky), for at most `limit` keys (the least recent dropped).
 */
export class TurnMemory {
  private readonly routes = new Map<string, SessionPatch>();

  constructor(private readonly limit = 1024) {}

  remember(sessionKey: string, entry: SessionEntry): void {
    this.routes.delete(sessionKey);
    this.routes.set(sessionKey, routeOf(entry));
    if (this.routes.size > this.limit) this.routes.delete(this.routes.keys().next().value as string);
  }

  recall(sessionKey: string): SessionPatch | undefined {
    return this.routes.get(sessionKey);
  }
}

function routeOf(entry: SessionEntry): SessionPatch {
  const patch: Record<string, unknown> = {};
  for (const field of ROUTE_FIELDS) if (entry[field] !== undefined) patch[field] = structuredClone(entry[field]);
  return patch as SessionPatch;
}

/**
 * The session's entry, or (when it was deleted after this hub's last turn in it) a new one
 * with a fresh sessionId and the last turn's route. `E_NOT_FOUND` for a session this hub
 * never had a turn in.
 */
async function entryFor(store: SessionStore, memory: TurnMemory, sessionKey: string): Promise<{ entry: SessionEntry; recreated: boolean }> {
  const entry = await store.get(sessionKey);
  if (entry) return { entry, recreated: false };
  const remembered = memory.recall(sessionKey);
  if (remembered === undefined) throw new HubError("E_NOT_FOUND", `no session "${sessionKey}" in ${store.path}`, { file: store.path });
  let recreated = false;
  const current = await store.update(sessionKey, (found) => {
    if (found !== undefined) return null; // recreated meanwhile (a message came in)
    recreated = true;
    return structuredClone(remembered);
  });
  if (current === undefined) throw new HubError("E_IO", `could not recreate the session "${sessionKey}" in ${store.path}`, { file: store.path });
  return { entry: current, recreated };
}

export async function sendReply(
  store: SessionStore,
  config: HubConfig,
  memory: TurnMemory,
  sessionKey: string,
  reply: ReplyInput & { content: MessageContent },
  options: { timestamp: number; onWarning: (warning: StoreWarning) => void },
): Promise<ReplyResult> {
  const { entry, recreated } = await entryFor(store, memory, sessionKey);
  const sent = hasDeliverableContent(reply.content) && resolveSendPolicy({ config: config.session ?? {}, sessionKey, entry }) === "allow";
  const message: StoredMessage = await appendMessage(store, sessionKey, {
    role: "assistant",
    content: reply.content,
    timestamp: options.timestamp,
    meta: defined({
      channel: entry.lastChannel ?? entry.channel,
      accountId: entry.lastAccountId,
      replyToId: reply.replyToId,
      threadId: reply.threadId,
      // Kept in the transcript so the agent's history is whole, but never delivered.
      suppressed: sent ? undefined : true,
    }),
  }, { onWarning: options.onWarning });
  return recreated ? { sent, message, sessionRecreated: true } : { sent, message };
}
