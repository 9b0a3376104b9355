/**
 * `reply`: the assistant's answer, appended to the session's transcript under the send
 * policy. A session deleted while its turn was in flight (an operator ran `hub sessions
 * delete` between the `receive` and its `reply`) is recreated from the route this hub saw on
 * that turn, so the answer is recorded and can still be delivered.
 */
import { randomUUID } from "node:crypto";
import type { Backend, TurnDecision } from "../backend/types.js";
import type { HubConfig } from "../config/schema.js";
import { HubError } from "../errors.js";
import { resolveSendPolicy } from "../lifecycle/send-policy.js";
import { hasDeliverableContent } from "./deliverable.js";
import { BoundedMap } from "../backend/shared/bounded-map.js";
import { copyJsonValue, type SessionEntry, type SessionPatch } from "../backend/shared/entry.js";
import type { MessageContent, StoredMessage } from "../backend/shared/transcript-format.js";
import { defined } from "./inbound.js";
import { hasRunInfo, runFields, withRunInfo } from "./usage.js";
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
  private readonly routes: BoundedMap<string, SessionPatch>;

  constructor(limit = 1024) {
    this.routes = new BoundedMap(limit);
  }

  remember(sessionKey: string, entry: SessionEntry): void {
    this.routes.delete(sessionKey);
    this.routes.set(sessionKey, routeOf(entry));
  }

  recall(sessionKey: string): SessionPatch | undefined {
    return this.routes.get(sessionKey);
  }
}

function routeOf(entry: SessionEntry): SessionPatch {
  const patch: Record<string, unknown> = {};
  for (const field of ROUTE_FIELDS) if (entry[field] !== undefined) patch[field] = entry[field];
  // A copy: the caller may change the entry it was handed.
  return copyJsonValue(patch) as SessionPatch;
}

/** What `reply` decided on the entry it appends to. */
interface ReplyDecision {
  sent: boolean;
  recreated: boolean;
}

/**
 * The reply's decision on the session's entry; when the session was deleted after this hub's
 * last turn in it, a new entry (fresh sessionId, that turn's route). `E_NOT_FOUND` for a
 * session this hub never had a turn in.
 */
function decideReply(config: HubConfig, memory: TurnMemory, sessionKey: string, reply: ReplyInput & { content: MessageContent }, now: number, location: string) {
  const deliverable = hasDeliverableContent(reply.content);
  const decision = (entry: SessionEntry, recreated: boolean): ReplyDecision => ({
    sent: deliverable && resolveSendPolicy({ config: config.session ?? {}, sessionKey, entry }) === "allow",
    recreated,
  });
  // The run's model and usage go on the entry (a store write); without them the entry stays.
  const withRun = (entry: SessionEntry) => (hasRunInfo(reply) ? withRunInfo(entry, reply) : undefined);
  return (current: SessionEntry | undefined): TurnDecision<ReplyDecision> => {
    if (current !== undefined) return { entry: withRun(current), value: decision(current, false) };
    const remembered = memory.recall(sessionKey);
    if (remembered === undefined) throw new HubError("E_NOT_FOUND", `no session "${sessionKey}" in ${location}`);
    const entry = { sessionId: randomUUID(), updatedAt: now, ...structuredClone(remembered) } as SessionEntry;
    return { entry: withRun(entry) ?? entry, value: decision(entry, true) };
  };
}

export async function sendReply(
  backend: Backend,
  config: HubConfig,
  memory: TurnMemory,
  sessionKey: string,
  reply: ReplyInput & { content: MessageContent },
  options: { timestamp: number },
): Promise<ReplyResult> {
  const decide = decideReply(config, memory, sessionKey, reply, options.timestamp, backend.location);
  const result = await backend.turn({
    key: sessionKey,
    decide,
    messages: (entry, { sent }) => [
      {
        role: "assistant",
        content: reply.content,
        ...runFields(reply),
        timestamp: options.timestamp,
        meta: defined({
          channel: entry.lastChannel ?? entry.channel,
          accountId: entry.lastAccountId,
          replyToId: reply.replyToId,
          threadId: reply.threadId,
          // Kept in the transcript so the agent's history is whole, but never delivered.
          suppressed: sent ? undefined : true,
        }),
      },
    ],
  });
  if (result.duplicate) throw new HubError("E_IO", `the backend ${backend.location} took a reply without a claim for a duplicate`);
  const message = result.messages[0] as StoredMessage;
  return result.value.recreated ? { sent: result.value.sent, message, sessionRecreated: true } : { sent: result.value.sent, message };
}
