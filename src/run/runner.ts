/**
 * The conversation queues of `hub.run` (issue 14). Per session key, in this process: the
 * messages waiting, the turn running, and one worker that takes the conversation's run lease
 * from the backend (so at most one turn runs per conversation across every process on the
 * backend), runs a turn (`turn.ts`), releases the lease, and goes on while messages wait.
 *
 * The queue policy (`queue-settings.ts`) is looked up (one entry read) only when a message
 * finds its conversation busy; an idle conversation runs at once. In `interrupt` mode a
 * message arriving while another process holds the conversation asks that process to stop
 * (`backend.interruptRun`), and a turn stopped that way drops what waits behind it here: the
 * newer message is elsewhere.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Backend, RunLease, RunLeaseAbort } from "../backend/types.js";
import type { SessionEntry } from "../backend/shared/entry.js";
import { abortError, runBatch, type Pending, type TurnHub } from "./turn.js";
import type { InboundMessage } from "../hub/types.js";
import type { QueueSettings, RunHandler, RunResult } from "./types.js";

/** Polling for a lease held by another process: from this delay (ms), doubling, up to the next. */
const LEASE_POLL_MIN_MS = 10;
const LEASE_POLL_MAX_MS = 200;

interface Conversation {
  key: string;
  queue: Pending[];
  /** The running turn's controller and messages. */
  running: { controller: AbortController; batch: readonly Pending[] } | undefined;
  worker: Promise<void> | undefined;
  /** Set while the worker waits for a lease another process holds. */
  waiting: boolean;
}

export interface RunnerHub extends TurnHub {
  readonly backend: Backend;
  /** The queue policy for a message of `channel` in a conversation whose entry is `entry`. */
  settings(channel: string, entry: SessionEntry | undefined): QueueSettings;
}

export class Runner {
  private readonly conversations = new Map<string, Conversation>();

  constructor(private readonly hub: RunnerHub) {}

  /** Queues `message` for its conversation's next turn; resolves with what became of it. */
  run(sessionKey: string, channel: string, message: InboundMessage<string>, handler: RunHandler): Promise<RunResult> {
    let c = this.conversations.get(sessionKey);
    if (c === undefined) {
      c = { key: sessionKey, queue: [], running: undefined, worker: undefined, waiting: false };
      this.conversations.set(sessionKey, c);
    }
    const busy = c.running !== undefined || c.queue.length > 0 || c.waiting;
    return new Promise<RunResult>((resolve, reject) => {
      const pending: Pending = { message, channel, handler, resolve, reject };
      (c as Conversation).queue.push(pending);
      if (busy) void this.applyPolicy(c as Conversation, pending).catch((error: unknown) => this.fail(c as Conversation, pending, error));
      this.ensureWorker(c as Conversation);
    });
  }

  /** Resolves once every conversation's queue is empty and no turn runs. */
  async drain(): Promise<void> {
    for (;;) {
      const workers = [...this.conversations.values()].map((c) => c.worker).filter((w) => w !== undefined);
      if (workers.length === 0) return;
      await Promise.allSettled(workers);
    }
  }

  private async settingsOf(c: Conversation, channel: string): Promise<QueueSettings> {
    return this.hub.settings(channel, await this.hub.backend.get(c.key));
  }

  /** A message found its conversation busy: interrupt, or keep the queue within its cap. */
  private async applyPolicy(c: Conversation, pending: Pending): Promise<void> {
    const settings = await this.settingsOf(c, pending.channel);
    const at = c.queue.indexOf(pending);
    if (settings.mode === "interrupt") {
      if (at > 0) for (const older of c.queue.splice(0, at)) older.resolve({ status: "dropped", sessionKey: c.key, reason: "superseded" });
      if (c.running !== undefined && !c.running.batch.includes(pending)) c.running.controller.abort(abortError("interrupted by a newer message"));
      else if (c.running === undefined && at >= 0) await this.hub.backend.interruptRun(c.key);
      return;
    }
    const dropped = settings.drop === "new" ? (at >= settings.cap ? c.queue.splice(at, 1) : []) : c.queue.splice(0, Math.max(0, c.queue.length - settings.cap));
    for (const victim of dropped) victim.resolve({ status: "dropped", sessionKey: c.key, reason: "queue-full" });
  }

  /**
   * The policy could not be read (the backend failed): a message still waiting leaves the
   * queue, rejected; one already in a turn is settled by its turn.
   */
  private fail(c: Conversation, pending: Pending, error: unknown): void {
    const at = c.queue.indexOf(pending);
    if (at < 0) return;
    c.queue.splice(at, 1);
    pending.reject(error);
  }

  private ensureWorker(c: Conversation): void {
    if (c.worker !== undefined) return;
    c.worker = this.work(c).finally(() => {
      c.worker = undefined;
      if (c.queue.length > 0) this.ensureWorker(c);
      else if (this.conversations.get(c.key) === c) this.conversations.delete(c.key);
    });
  }

  private async work(c: Conversation): Promise<void> {
    try {
      while (c.queue.length > 0) {
        const lease = await this.acquire(c);
        try {
          await this.turn(c, lease);
        } finally {
          await lease.release();
        }
      }
    } catch (error) {
      // The backend failed (taking or releasing the lease, reading the policy): what waits
      // would wait forever, so it is rejected with that failure.
      for (const pending of c.queue.splice(0)) pending.reject(error);
    }
  }

  /** Takes the conversation's lease, waiting (polling) while another process holds it. */
  private async acquire(c: Conversation): Promise<RunLease> {
    let delay = LEASE_POLL_MIN_MS;
    try {
      for (let attempt = 0; ; attempt++) {
        const lease = await this.hub.backend.tryRun(c.key);
        if (lease !== undefined) return lease;
        c.waiting = true;
        const newest = c.queue[c.queue.length - 1];
        if (attempt === 0 && newest !== undefined && (await this.settingsOf(c, newest.channel)).mode === "interrupt") {
          await this.hub.backend.interruptRun(c.key);
        }
        await sleep(delay);
        delay = Math.min(delay * 2, LEASE_POLL_MAX_MS);
      }
    } finally {
      c.waiting = false;
    }
  }

  /** One turn under `lease`: the next message, or (in `collect` mode) every waiting one. */
  private async turn(c: Conversation, lease: RunLease): Promise<void> {
    const newest = c.queue[c.queue.length - 1] as Pending;
    const collect = c.queue.length > 1 && (await this.settingsOf(c, newest.channel)).mode === "collect";
    const batch = collect ? c.queue.splice(0) : c.queue.splice(0, 1);
    const controller = new AbortController();
    const onLease = () => {
      const why = lease.signal.reason as RunLeaseAbort | undefined;
      controller.abort(abortError(why?.reason === "lost" ? `lost the run lease: ${why.message}` : "interrupted by a newer message in another process"));
      // Stopped for a message that is elsewhere: what waits here is older than it.
      if (why?.reason !== "lost") for (const older of c.queue.splice(0)) older.resolve({ status: "dropped", sessionKey: c.key, reason: "superseded" });
    };
    if (lease.signal.aborted) onLease();
    else lease.signal.addEventListener("abort", onLease, { once: true });
    c.running = { controller, batch };
    try {
      await runBatch(this.hub, c.key, batch, controller.signal);
    } finally {
      c.running = undefined;
      lease.signal.removeEventListener("abort", onLease);
    }
  }
}
