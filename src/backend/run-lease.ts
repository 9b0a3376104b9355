/**
 * The run lease (issue 14): the part of the backend seam that holds one conversation for one
 * agent turn at a time, across every process on the same backend. A lease is taken with
 * `tryRun` (never waits: the caller polls), kept alive by the backend while held (a holder
 * that dies, or stops for longer than the backend's stale time, loses it), and asked to stop
 * from any process with `interruptRun`, which fires the holder's `signal`.
 */

/** One held run of a conversation. */
export interface RunLease {
  /** The session key the run holds. */
  readonly key: string;
  /**
   * Fires when a process asks this run to stop (`interruptRun`, reason `"interrupted"`) or
   * when the backend lost the lease (reason `"lost"`: another process took it over as stale).
   */
  readonly signal: AbortSignal;
  /** Frees the conversation for the next run. Idempotent; never rejects for a lost lease. */
  release(): Promise<void>;
}

/** Why a lease's signal fired: `signal.reason` is a `RunLeaseAbort`. */
export interface RunLeaseAbort {
  reason: "interrupted" | "lost";
  message: string;
}

export interface RunLeases {
  /**
   * Takes the run lease of `key` when no process holds it (or its holder is dead or stale);
   * resolves undefined, at once, when it is held. Leases count real time (not `now`).
   */
  tryRun(key: string): Promise<RunLease | undefined>;
  /**
   * Asks the current holder of `key`'s run, in any process, to stop: its lease's `signal`
   * fires (within about a second). Resolves true when a run was held, false when none was.
   */
  interruptRun(key: string): Promise<boolean>;
}

/** Fires a lease's signal once, with a `RunLeaseAbort` as its reason. */
export function abortLease(controller: AbortController, reason: RunLeaseAbort["reason"], message: string): void {
  if (!controller.signal.aborted) controller.abort({ reason, message } satisfies RunLeaseAbort);
}

export interface HeldLeaseSteps {
  /** How often `tick` runs while the lease is held (ms). */
  everyMs: number;
  /** Synchronous, first at each tick (before any overdue timer of the holder runs). */
  beforeTick?: () => void;
  /** The periodic look (renewal, interrupt marker); ticks never overlap; a failed one is retried at the next. */
  tick: () => Promise<void>;
  /** Gives the lease back, once, after the last tick settled. */
  finish: () => Promise<void>;
}

/** The `RunLease` both backends hand out: `tick` every `everyMs` until `release`, then `finish` once. */
export function heldLease(key: string, controller: AbortController, steps: HeldLeaseSteps): RunLease {
  let ticking: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    steps.beforeTick?.();
    ticking = ticking.then(steps.tick).catch(() => undefined);
  }, steps.everyMs);
  let released: Promise<void> | undefined;
  return {
    key,
    signal: controller.signal,
    release: () => {
      released ??= (async () => {
        clearInterval(timer);
        await ticking;
        await steps.finish();
      })();
      return released;
    },
  };
}
