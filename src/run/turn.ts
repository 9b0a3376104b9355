/**
 * One agent turn of `hub.run` (issue 14), run while the conversation's lease is held: receive
 * the batch's messages (claim, de-duplicate, append: the transcript gets them as the turn
 * starts, so each turn's user messages are followed by its replies), hand the turn to the
 * newest message's handler, and settle every message of the batch with the outcome.
 */
import type { InboundMessage, ReceiveResult, ReplyInput, ReplyResult } from "../hub/types.js";
import type { ReceivedMessage, RunHandler, RunInfo, RunResult, RunTurn } from "./types.js";

/** A message given to `hub.run`, waiting for its turn. */
export interface Pending {
  message: InboundMessage<string>;
  channel: string;
  handler: RunHandler;
  resolve(result: RunResult): void;
  reject(error: unknown): void;
}

/** What a turn needs of the hub. */
export interface TurnHub {
  receive(message: InboundMessage<string>): Promise<ReceiveResult>;
  reply(sessionKey: string, reply: ReplyInput): Promise<ReplyResult>;
}

/** The reason a turn's signal fires with: an `AbortError`, as `fetch` and the model SDKs expect. */
export function abortError(message: string): DOMException {
  return new DOMException(message, "AbortError");
}

/** Receives the batch's messages in order; settles duplicates and failures at once. */
async function receiveBatch(hub: TurnHub, sessionKey: string, batch: readonly Pending[]): Promise<Array<[Pending, ReceivedMessage]>> {
  const received: Array<[Pending, ReceivedMessage]> = [];
  for (const pending of batch) {
    let result: ReceiveResult;
    try {
      result = await hub.receive(pending.message);
    } catch (error) {
      pending.reject(error);
      continue;
    }
    if (result.duplicate) pending.resolve({ status: "duplicate", sessionKey });
    else received.push([pending, result]);
  }
  return received;
}

function makeTurn(hub: TurnHub, sessionKey: string, messages: ReceivedMessage[], signal: AbortSignal, replies: ReplyResult[]): RunTurn {
  const last = messages[messages.length - 1] as ReceivedMessage;
  const reply = async (input: string | ReplyInput, run: RunInfo = {}) => {
    signal.throwIfAborted();
    const result = await hub.reply(sessionKey, typeof input === "string" ? { ...run, text: input } : input);
    replies.push(result);
    return result;
  };
  return {
    sessionKey,
    sessionId: last.sessionId,
    messages,
    text: messages.map((m) => m.body).join("\n"),
    signal,
    reply: reply as RunTurn["reply"],
  };
}

/** Why the turn's signal fired: `lost` when the lease went, else `interrupted`. */
function stopReason(signal: AbortSignal): "interrupted" | "lost" {
  const reason: unknown = signal.reason;
  return reason instanceof DOMException && reason.message.startsWith("lost") ? "lost" : "interrupted";
}

/**
 * Runs one turn for `batch` under `signal`; every message of it is settled when this
 * resolves. A handler that throws rejects the batch's messages with its error, unless the
 * signal had fired (then they are `interrupted`: stopping was asked for).
 */
export async function runBatch(hub: TurnHub, sessionKey: string, batch: readonly Pending[], signal: AbortSignal): Promise<void> {
  const received = await receiveBatch(hub, sessionKey, batch);
  if (received.length === 0) return;
  const pendings = received.map(([pending]) => pending);
  const replies: ReplyResult[] = [];
  let failure: { error: unknown } | undefined;
  try {
    if (!signal.aborted) {
      const handler = (pendings[pendings.length - 1] as Pending).handler;
      await handler(makeTurn(hub, sessionKey, received.map(([, message]) => message), signal, replies));
    }
  } catch (error) {
    failure = { error };
  }
  for (const pending of pendings) {
    if (signal.aborted) pending.resolve({ status: "interrupted", sessionKey, reason: stopReason(signal) });
    else if (failure !== undefined) pending.reject(failure.error);
    else pending.resolve({ status: "done", sessionKey, replies: [...replies] });
  }
}
