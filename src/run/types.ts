/**
 * The public types of the run API (`hub.run`, issue 14): one agent turn per conversation at a
 * time, across processes, with clawdbot's queue modes for messages that arrive meanwhile.
 */
import type { ReceiveResult, ReplyInput, ReplyResult } from "../hub/types.js";

/**
 * What happens to a message that arrives while its conversation has a turn running:
 * `followup` (each becomes its own next turn, in order), `collect` (everything queued becomes
 * one next turn), `interrupt` (the running turn's signal fires, queued ones are dropped, the
 * newest runs next).
 */
export type QueueMode = "followup" | "collect" | "interrupt";
/** Which message a full queue drops: the oldest queued (`old`) or the one arriving (`new`). */
export type QueueDrop = "old" | "new";

/** The queue policy of one conversation, resolved from the config and its entry. */
export interface QueueSettings {
  mode: QueueMode;
  /** The most messages waiting (not counting the running turn's). */
  cap: number;
  drop: QueueDrop;
}

/** A message as `receive` stored it (never a duplicate). */
export type ReceivedMessage = Extract<ReceiveResult, { duplicate: false }>;

/** The model and usage of a run, given with its reply (see `ReplyInput`). */
export type RunInfo = Pick<ReplyInput, "model" | "provider" | "usage" | "replyToId" | "threadId">;

/** One agent turn, handed to the function given to `hub.run`. */
export interface RunTurn {
  readonly sessionKey: string;
  /** The session the turn's newest message went to. */
  readonly sessionId: string;
  /**
   * The turn's messages as `receive` stored them, oldest first: one, or (in `collect` mode)
   * every message that arrived during the previous turn.
   */
  readonly messages: readonly ReceivedMessage[];
  /** The text for the agent: the messages' bodies joined with a newline. */
  readonly text: string;
  /**
   * Fires when the turn must stop: a newer message arrived in `interrupt` mode (in this
   * process or another), or the conversation's run lease was lost. Its reason is an
   * `AbortError` `DOMException`. Pass it to the model call.
   */
  readonly signal: AbortSignal;
  /**
   * The assistant's answer, appended to the transcript (with `hub.reply`'s send policy and
   * usage recording). Rejects with the signal's reason once the signal has fired: an
   * interrupted turn writes nothing more.
   */
  reply(text: string, run?: RunInfo): Promise<ReplyResult>;
  reply(reply: ReplyInput): Promise<ReplyResult>;
}

/** The agent: runs one turn; a throw (or rejection) fails the turn. */
export type RunHandler = (turn: RunTurn) => void | Promise<void>;

/**
 * What became of one message given to `hub.run`. The promise rejects instead when the
 * message was invalid (`E_INVALID_ARGUMENT`...), when receiving it failed, or when its turn
 * threw (with that error, for every message of the turn).
 */
export type RunResult =
  /** Its turn ran to the end; `replies` are those the turn sent. */
  | { status: "done"; sessionKey: string; replies: ReplyResult[] }
  /** A redelivery of a message already received: no turn. */
  | { status: "duplicate"; sessionKey: string }
  /** Its turn was stopped: a newer message (`interrupted`) or a lost run lease (`lost`). */
  | { status: "interrupted"; sessionKey: string; reason: "interrupted" | "lost" }
  /**
   * Never run, never received (not in the transcript, not claimed: a redelivery is processed):
   * the queue was full (`queue-full`) or a newer message superseded it in `interrupt` mode.
   */
  | { status: "dropped"; sessionKey: string; reason: "queue-full" | "superseded" };
