/** Shared plumbing of the run API tests: messages of one conversation, a gate, the transcript. */
import type { Hub, InboundMessage } from "../../src/hub.js";
import type { RunResult } from "../../src/run/types.js";

/** The conversation of `message(i)`. */
export const KEY = "agent:main:telegram:dm:111";

/** Message `i` of the conversation (id `m<i>`, text `msg <i>`). */
export function message(i: number, extra: Partial<InboundMessage> = {}): InboundMessage {
  return { channel: "telegram", chatType: "direct", peerId: "111", messageId: `m${i}`, text: `msg ${i}`, ...extra };
}

export interface Gate {
  promise: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Resolves once `signal` fires. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** The transcript of `KEY` as `role: text` lines. */
export async function transcript(hub: Hub, key = KEY): Promise<string[]> {
  const page = await hub.history(key, { limit: 500 });
  return page.messages.map((m) => `${m.role}: ${typeof m.content === "string" ? m.content : m.content.map((b) => ("text" in b ? b.text : "")).join("")}`);
}

export function statuses(results: readonly RunResult[]): string[] {
  return results.map((r) => (r.status === "dropped" || r.status === "interrupted" ? `${r.status}:${r.reason}` : r.status));
}
