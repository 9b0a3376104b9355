/** Conformance: transcripts (order, the parent chain, the clock, cursors, threads, archive). */
import { describe, expect, it } from "vitest";
import type { Backend, StoredMessage } from "../../../src/backend/types.js";
import { MINUTE, T0, codeOf, seed, text, useBackend, type MakeBackend } from "./harness.js";

const key = "agent:main:telegram:dm:111";

function contents(messages: readonly StoredMessage[]): unknown[] {
  return messages.map((m) => m.content);
}

/** Appends `count` messages "m1".."m<count>" (a minute apart), every third in thread "t". */
async function appendNumbered(backend: Backend, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) await backend.append(key, "s-1", [text(`m${i}`, T0 + i * MINUTE, i % 3 === 0 ? "t" : undefined)]);
}

export function describeTranscripts(makeBackend: MakeBackend): void {
  describe("transcripts", () => {
    const use = useBackend(makeBackend);

    it("keeps call order and chains every message to the one before it", async () => {
      const { backend } = use();
      await seed(backend, key);
      const first = await backend.append(key, "s-1", [text("a"), text("b"), text("c")]);
      const more = await Promise.all([backend.append(key, "s-1", [text("d")]), backend.append(key, "s-1", [text("e"), text("f")])]);
      const page = await backend.read(key, { limit: 100 });
      expect(contents(page.messages)).toEqual(["a", "b", "c", "d", "e", "f"]);
      expect(page.messages).toEqual([...first, ...more.flat()]);
      expect(page.messages[0]?.parentId).toBeNull();
      page.messages.slice(1).forEach((m, i) => expect(m.parentId).toBe(page.messages[i]?.id));
      expect(new Set(page.messages.map((m) => m.id)).size).toBe(6);
    });

    it("moves the clock of its session to the newest message, never backwards; creates an absent entry", async () => {
      const { backend } = use();
      await seed(backend, key);
      // Within the 5-minute skew a sender's clock may run ahead of ours (FUTURE_SKEW_MS).
      await backend.append(key, "s-1", [text("late", T0 + 4 * MINUTE), text("early", T0 + 2 * MINUTE)]);
      expect((await backend.get(key))?.updatedAt).toBe(T0 + 4 * MINUTE);
      await backend.append(key, "s-1", [text("older", T0 + MINUTE)]);
      expect((await backend.get(key))?.updatedAt).toBe(T0 + 4 * MINUTE);
      const fresh = "agent:main:telegram:dm:222";
      const [stored] = await backend.append(fresh, "s-fresh", [text("hello", T0 + 3 * MINUTE)]);
      expect(await backend.get(fresh)).toMatchObject({ sessionId: "s-fresh", updatedAt: T0 + 3 * MINUTE });
      expect((await backend.read(fresh)).messages).toEqual([stored]);
    });

    it("appends to an earlier session without touching the entry's current one", async () => {
      const { backend } = use();
      await seed(backend, key);
      await backend.update(key, (draft) => draft.set(key, { sessionId: "s-2", updatedAt: T0, previousSessionIds: ["s-1"] }));
      await backend.append(key, "s-1", [text("late reply to the old session", T0 + 5 * MINUTE)]);
      expect(await backend.get(key)).toEqual({ sessionId: "s-2", updatedAt: T0, previousSessionIds: ["s-1"] });
      expect((await backend.read(key)).messages).toEqual([]);
      expect(await backend.lastActivity(key, "s-1")).toBe(T0 + 5 * MINUTE);
      expect(await backend.lastActivity(key, "s-2")).toBeUndefined();
    });

    it("pages with limit, before and after cursors, and follows new messages from the tail cursor", async () => {
      const { backend } = use();
      await seed(backend, key);
      await appendNumbered(backend, 7);
      const newest = await backend.read(key, { limit: 3 });
      expect(contents(newest.messages)).toEqual(["m5", "m6", "m7"]);
      expect(newest.after).toBeUndefined();
      const older = await backend.read(key, { limit: 3, before: newest.before as string });
      expect(contents(older.messages)).toEqual(["m2", "m3", "m4"]);
      const oldest = await backend.read(key, { limit: 3, before: older.before as string });
      expect(contents(oldest.messages)).toEqual(["m1"]);
      expect(oldest.before).toBeUndefined();
      const forward = await backend.read(key, { limit: 2, after: oldest.after as string });
      expect(contents(forward.messages)).toEqual(["m2", "m3"]);
      await backend.append(key, "s-1", [text("m8"), text("m9")]);
      const since = await backend.read(key, { after: newest.tail as string });
      expect(contents(since.messages)).toEqual(["m8", "m9"]);
      expect(contents((await backend.read(key, { after: since.tail as string })).messages)).toEqual([]);
    });

    it("reads one thread, with cursors inside it", async () => {
      const { backend } = use();
      await seed(backend, key);
      await appendNumbered(backend, 9);
      const thread = await backend.read(key, { threadId: "t", limit: 2 });
      expect(contents(thread.messages)).toEqual(["m6", "m9"]);
      const before = await backend.read(key, { threadId: "t", limit: 2, before: thread.before as string });
      expect(contents(before.messages)).toEqual(["m3"]);
      expect(before.before).toBeUndefined();
      expect(before.messages[0]?.meta?.threadId).toBe("t");
    });

    it("rejects bad queries and bad messages with E_INVALID_ARGUMENT, appending nothing", async () => {
      const { backend } = use();
      await seed(backend, key);
      expect(await codeOf(backend.read(key, { limit: 0 }))).toBe("E_INVALID_ARGUMENT");
      expect(await codeOf(backend.read(key, { before: "not a cursor" }))).toBe("E_INVALID_ARGUMENT");
      expect(await codeOf(backend.append(key, "../escape", [text("x")]))).toBe("E_INVALID_ARGUMENT");
      expect(await codeOf(backend.append(key, "s-1", [{ role: "user", content: 42 as unknown as string }]))).toBe("E_INVALID_ARGUMENT");
      expect(await codeOf(backend.lastActivity(key, "a/b"))).toBe("E_INVALID_ARGUMENT");
      expect((await backend.read(key)).messages).toEqual([]);
      expect((await backend.read("agent:main:absent")).messages).toEqual([]);
    });

    it("knows the newest message's time and archives a session's transcript", async () => {
      const { backend } = use();
      await seed(backend, key);
      expect(await backend.lastActivity(key, "s-1")).toBeUndefined();
      await appendNumbered(backend, 3);
      expect(await backend.lastActivity(key, "s-1")).toBe(T0 + 3 * MINUTE);
      expect(await backend.archive(key, "s-1")).toHaveLength(1);
      expect(await backend.lastActivity(key, "s-1")).toBeUndefined();
      expect((await backend.read(key)).messages).toEqual([]);
      expect(await backend.archive(key, "s-1")).toEqual([]);
      expect((await backend.get(key))?.sessionId).toBe("s-1");
    });
  });
}
