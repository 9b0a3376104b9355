/** Conformance: the change feed of a `LiveBackend` (issue 13). */
import { describe, expect, it } from "vitest";
import { isLiveBackend, type Backend, type Change, type LiveBackend, type WatchOptions } from "../../../src/backend/types.js";
import { T0, seed, text, useBackend, type MakeBackend } from "./harness.js";

export interface Watching {
  changes: Change[];
  /** Aborts the feed and waits for the iteration to end. */
  stop: () => Promise<void>;
  /** Settles when the iteration ends. */
  done: Promise<void>;
}

export function live(backend: Backend): LiveBackend {
  if (!isLiveBackend(backend)) throw new Error("the backend has no watch()");
  return backend;
}

/** Iterates `backend.watch(options)` in the background into `changes`; resolves once the feed is live (its first resync). */
export async function startWatching(backend: LiveBackend, options: WatchOptions = {}): Promise<Watching> {
  const changes: Change[] = [];
  const controller = new AbortController();
  const done = (async () => {
    for await (const change of backend.watch({ ...options, signal: options.signal ?? controller.signal })) changes.push(change);
  })();
  await until(() => changes.length > 0, "the first resync");
  expect(changes[0]).toEqual({ type: "resync" });
  return {
    changes,
    done,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

/** Waits (generously: machines are loaded) until `ready()` holds. */
export async function until(ready: () => boolean, what: string, seen?: readonly Change[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${seen ? `; seen: ${JSON.stringify(seen)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The last `session` change of `key` (undefined: none; null: deleted). */
export function lastEntry(changes: readonly Change[], key: string) {
  const found = changes.filter((c): c is Extract<Change, { type: "session" }> => c.type === "session" && c.key === key);
  return found.length === 0 ? undefined : found[found.length - 1]?.entry;
}

export function messagesOf(changes: readonly Change[], key?: string): unknown[] {
  return changes.flatMap((c) => (c.type === "message" && (key === undefined || c.key === key) ? [c.message.content] : []));
}

export function describeWatch(makeBackend: MakeBackend): void {
  describe("change feed", () => {
    const use = useBackend(makeBackend);
    const a = "agent:main:telegram:dm:a";
    const b = "agent:main:telegram:dm:b";

    it("starts with resync, then reports entries created, changed, reset and deleted, and every message", async () => {
      const { backend } = use();
      await seed(backend, a, { sessionId: "s-a" });
      const watching = await startWatching(live(backend));
      await backend.append(a, "s-a", [text("one", T0 + 1), text("two", T0 + 2)]);
      await backend.update(b, (draft) => draft.set(b, { sessionId: "s-b", updatedAt: T0, label: "new" }));
      await backend.append(b, "s-b", [text("b1")]);
      // A key created and deleted between two looks of the feed may never show: let it be seen first.
      await until(() => messagesOf(watching.changes, b).length === 1, "b's message", watching.changes);
      await backend.update(a, (draft) => draft.set(a, { sessionId: "s-a2", updatedAt: T0 + 5, previousSessionIds: ["s-a"] }));
      await backend.append(a, "s-a2", [text("three", T0 + 6)]);
      await backend.delete([b]);
      await until(() => lastEntry(watching.changes, b) === null && messagesOf(watching.changes, a).length === 3, "the final state", watching.changes);
      expect(messagesOf(watching.changes, a)).toEqual(["one", "two", "three"]);
      expect(messagesOf(watching.changes, b)).toEqual(["b1"]);
      expect(lastEntry(watching.changes, a)).toEqual(await backend.get(a));
      const sessionsOf = (key: string) => watching.changes.flatMap((c) => (c.type === "message" && c.key === key ? [c.sessionId] : []));
      expect(sessionsOf(a)).toEqual(["s-a", "s-a", "s-a2"]);
      expect(sessionsOf(b)).toEqual(["s-b"]);
      await watching.stop();
    });

    it("reports only the keys asked for", async () => {
      const { backend } = use();
      const watching = await startWatching(live(backend), { keys: [b] });
      await backend.append(a, "s-a", [text("not for us")]);
      await backend.append(b, "s-b", [text("for us")]);
      await until(() => messagesOf(watching.changes).length > 0, "b's message");
      await backend.append(b, "s-b", [text("marker")]);
      await until(() => messagesOf(watching.changes).length === 2, "the marker");
      expect(watching.changes.every((c) => c.type === "resync" || c.key === b)).toBe(true);
      await watching.stop();
    });

    it("a consumer that falls behind gets resync instead of an unbounded queue, and the feed goes on", async () => {
      const { backend } = use();
      const controller = new AbortController();
      const feed = live(backend).watch({ maxQueued: 5, signal: controller.signal })[Symbol.asyncIterator]();
      let pending = feed.next();
      /** The next change, or undefined when none comes within `ms`. */
      const take = async (ms: number): Promise<Change | undefined> => {
        const result = await Promise.race([pending, new Promise<null>((resolve) => setTimeout(() => resolve(null), ms))]);
        if (result === null) return undefined;
        pending = feed.next();
        return result.value as Change;
      };
      expect(await take(15_000)).toEqual({ type: "resync" });
      const observer = await startWatching(live(backend)); // an unthrottled feed shows when the burst is out
      for (let i = 0; i < 30; i++) await backend.append(a, "s-a", [text(`m${i}`)]);
      await until(() => messagesOf(observer.changes).includes("m29"), "the burst", observer.changes);
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // and the throttled feed's check after it
      const held: Change[] = [];
      for (let change = await take(1_500); change !== undefined; change = await take(1_500)) held.push(change);
      expect(held.some((c) => c.type === "resync")).toBe(true);
      // The change the waiting next() took at once, plus at most maxQueued held.
      expect(held.length).toBeLessThanOrEqual(6);
      await backend.append(a, "s-a", [text("after")]);
      let change: Change | undefined;
      do change = await take(15_000);
      while (change !== undefined && !(change.type === "message" && change.message.content === "after"));
      expect(change).toMatchObject({ type: "message", key: a });
      controller.abort();
      await pending;
      await observer.stop();
    });

    it("ends when its signal aborts and when the backend closes", async () => {
      const { backend } = use();
      const watching = await startWatching(live(backend));
      await watching.stop();
      const second = await startWatching(live(backend));
      await backend.close();
      await second.done;
      expect(second.changes).toEqual([{ type: "resync" }]);
    });
  });
}
