/**
 * Reading a conversation back through the backend beyond one page: one thread, and the
 * messages since the agent's last reply.
 */
import type { Backend, MessageQuery } from "../backend/types.js";
import type { StoredMessage } from "../backend/shared/transcript-format.js";

/** Pages backwards (newest first) until `stop` says so; returns oldest first. */
async function collect(backend: Backend, sessionKey: string, query: MessageQuery, stop: (m: StoredMessage) => boolean): Promise<StoredMessage[]> {
  const collected: StoredMessage[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await backend.read(sessionKey, { ...query, limit: 200, ...(before === undefined ? {} : { before }) });
    for (let i = page.messages.length - 1; i >= 0; i--) {
      const message = page.messages[i] as StoredMessage;
      if (stop(message)) return collected.reverse();
      collected.push(message);
    }
    if (page.before === undefined || page.messages.length === 0) return collected.reverse();
    before = page.before;
  }
}

/** Every message of one thread of the current session, oldest first. */
export function readThread(backend: Backend, sessionKey: string, threadId: string | number): Promise<StoredMessage[]> {
  return collect(backend, sessionKey, { threadId: String(threadId) }, () => false);
}

/** The messages after the agent's last reply, oldest first. */
export function readContextSince(backend: Backend, sessionKey: string): Promise<StoredMessage[]> {
  return collect(backend, sessionKey, {}, (message) => message.role === "assistant");
}
