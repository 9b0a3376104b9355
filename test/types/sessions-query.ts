/**
 * `hub.sessions({ chatType })` takes every chat type `receive` takes for a conversation
 * ("dm" is "direct"), and nothing else. Compiled by test/types/types.test.ts.
 */
import type { Hub, InboundMessage, SessionsQuery } from "../../src/index.js";

export async function sessionsByChatType(hub: Hub): Promise<void> {
  await hub.sessions({ chatType: "dm" });
  await hub.sessions({ chatType: "direct" });
  await hub.sessions({ chatType: "group" });
  await hub.sessions({ chatType: "channel" });
  // @ts-expect-error: not a chat type
  await hub.sessions({ chatType: "private" });
}

/** The chat type of a received message can be used to list its kind of sessions. */
export function sameChatType(message: InboundMessage & { chatType: "dm" | "direct" | "group" | "channel" }): SessionsQuery {
  return { chatType: message.chatType };
}
