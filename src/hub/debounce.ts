/**
 * Inbound debounce: rapid consecutive text messages from one sender in one conversation
 * become one turn. Media and control commands flush what is pending and pass at once.
 * Timers are injectable so tests drive them without patching globals.
 */

export interface DebounceItem {
  /** Which pending batch the item belongs to (conversation + sender). */
  batchKey: string;
  channel: string;
  text: string;
  /** Media and control commands (`/new`, `/send ...`) are never held back. */
  immediate: boolean;
}

export interface Timers {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

export interface DebouncerOptions<T> {
  /** Quiet period before a batch is delivered (ms). Default 0: no batching. */
  debounceMs?: number;
  /** Per-channel quiet periods, e.g. `{ whatsapp: 5000 }`. */
  byChannel?: Record<string, number>;
  /** Receives each batch, oldest first (one item for an immediate message). */
  onFlush: (items: T[]) => void | Promise<void>;
  /** Told when `onFlush` throws or rejects. Default: rethrown as an unhandled rejection. */
  onError?: (error: unknown, items: T[]) => void;
  timers?: Timers;
}

export interface Debouncer<T> {
  /** Queues an item; resolves when it has been handed to `onFlush` (or queued behind a timer). */
  push(item: T): Promise<void>;
  /** Delivers every pending batch now. */
  flushAll(): Promise<void>;
  /** Number of items waiting. */
  readonly pending: number;
}

interface Batch<T> {
  items: T[];
  timer: unknown;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export function createDebouncer<T extends DebounceItem>(options: DebouncerOptions<T>): Debouncer<T> {
  const timers = options.timers ?? realTimers;
  const batches = new Map<string, Batch<T>>();
  const delayFor = (channel: string) => options.byChannel?.[channel] ?? options.debounceMs ?? 0;

  const deliver = async (items: T[]) => {
    try {
      await options.onFlush(items);
    } catch (error) {
      if (!options.onError) throw error;
      options.onError(error, items);
    }
  };

  const flush = async (batchKey: string) => {
    const batch = batches.get(batchKey);
    if (!batch) return;
    batches.delete(batchKey);
    timers.clearTimeout(batch.timer);
    await deliver(batch.items);
  };

  return {
    async push(item) {
      const delay = delayFor(item.channel);
      if (item.immediate || delay <= 0) {
        await flush(item.batchKey);
        await deliver([item]);
        return;
      }
      const batch = batches.get(item.batchKey) ?? { items: [], timer: undefined };
      batch.items.push(item);
      timers.clearTimeout(batch.timer);
      batch.timer = timers.setTimeout(() => void flush(item.batchKey), delay);
      batches.set(item.batchKey, batch);
    },
    async flushAll() {
      for (const key of [...batches.keys()]) await flush(key);
    },
    get pending() {
      let count = 0;
      for (const batch of batches.values()) count += batch.items.length;
      return count;
    },
  };
}
