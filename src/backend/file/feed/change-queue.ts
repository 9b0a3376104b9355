/**
 * The bounded queue between a watcher and its consumer: a consumer that falls behind by
 * more than `max` changes loses them and gets one `resync` instead, so a slow consumer never
 * makes the feed hold unbounded memory.
 */
import type { Change } from "../../types.js";

export class ChangeQueue {
  private items: Change[] = [];
  private head = 0;
  private wake: (() => void) | undefined;
  private ended = false;

  constructor(private readonly max: number) {}

  push(change: Change): void {
    if (this.ended) return;
    if (this.items.length - this.head >= this.max) {
      this.items = [{ type: "resync" }];
      this.head = 0;
    } else {
      this.items.push(change);
    }
    this.wake?.();
  }

  /** No more changes: the iteration ends once the queued ones are taken. */
  end(): void {
    this.ended = true;
    this.wake?.();
  }

  /** Changes held right now (for tests and diagnostics). */
  get size(): number {
    return this.items.length - this.head;
  }

  async *drain(): AsyncGenerator<Change> {
    for (;;) {
      if (this.head < this.items.length) {
        const change = this.items[this.head++] as Change;
        if (this.head > 1024 && this.head * 2 > this.items.length) {
          this.items = this.items.slice(this.head);
          this.head = 0;
        }
        yield change;
      } else if (this.ended) {
        return;
      } else {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    }
  }
}
