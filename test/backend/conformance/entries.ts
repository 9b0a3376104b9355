/** Conformance: session entries (the activity clock, unknown fields, copies, keys as data, update). */
import { describe, expect, it } from "vitest";
import type { SessionEntry } from "../../../src/backend/types.js";
import { HOUR, MINUTE, T0, codeOf, seed, text, useBackend, type MakeBackend } from "./harness.js";

export function describeEntries(makeBackend: MakeBackend): void {
  describe("entries", () => {
    const use = useBackend(makeBackend);
    const key = "agent:main:telegram:dm:111";

    it("patch creates an entry with a fresh sessionId and the clock at now", async () => {
      const { backend } = use();
      const created = await backend.update(key, (draft) => draft.patch(key, { label: "Ann" }));
      expect(created).toMatchObject({ label: "Ann", updatedAt: T0 });
      expect(created.sessionId).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
      expect(await backend.get(key)).toEqual(created);
      expect(await backend.getMany([key, "agent:main:absent"])).toEqual([created, undefined]);
    });

    it("metadata updates never move the activity clock", async () => {
      const { backend, clock } = use();
      await seed(backend, key);
      clock.now = T0 + HOUR;
      await backend.update(key, (draft) => draft.patch(key, { label: "x", lastTo: "111", origin: { provider: "telegram" } }));
      expect((await backend.get(key))?.updatedAt).toBe(T0);
    });

    it("touch moves the clock forward, never backwards, and only for its own session", async () => {
      const { backend, clock } = use();
      await seed(backend, key);
      expect(await backend.touch(key, "s-1", T0 + 5 * MINUTE)).toBe(true);
      expect((await backend.get(key))?.updatedAt).toBe(T0 + 5 * MINUTE);
      expect(await backend.touch(key, "s-1", T0 + MINUTE)).toBe(true);
      expect((await backend.get(key))?.updatedAt).toBe(T0 + 5 * MINUTE);
      expect(await backend.touch(key, "s-other", T0 + HOUR)).toBe(false);
      expect((await backend.get(key))?.updatedAt).toBe(T0 + 5 * MINUTE);
      clock.now = T0 + 2 * HOUR;
      expect(await backend.touch(key, "s-1")).toBe(true);
      expect((await backend.get(key))?.updatedAt).toBe(T0 + 2 * HOUR);
      expect(await backend.touch("agent:main:absent", "s-1", T0)).toBe(false);
      expect(await backend.get("agent:main:absent")).toBeUndefined();
      expect(await codeOf(backend.touch(key, "../x", T0))).toBe("E_INVALID_ARGUMENT");
      expect(await codeOf(backend.touch(key, "s-1", Number.NaN))).toBe("E_INVALID_ARGUMENT");
    });

    it("keeps unknown fields through updates, touches and appends; a field set to undefined is removed", async () => {
      const { backend } = use();
      await seed(backend, key, { custom: { nested: [1, "two"] }, zzz: "kept", label: "old" });
      await backend.update(key, (draft) => draft.patch(key, { label: undefined, model: "m" }));
      await backend.touch(key, "s-1", T0 + MINUTE);
      await backend.append(key, "s-1", [text("hi", T0 + 2 * MINUTE)]);
      const entry = await backend.get(key);
      expect(entry).toMatchObject({ custom: { nested: [1, "two"] }, zzz: "kept", model: "m", updatedAt: T0 + 2 * MINUTE });
      expect(entry).not.toHaveProperty("label");
    });

    it("returns copies: changing a returned entry changes nothing stored", async () => {
      const { backend } = use();
      const made = await backend.update(key, (draft) => draft.set(key, { sessionId: "s-1", updatedAt: T0, origin: { label: "a" } }));
      made.origin = { label: "changed by caller" };
      const got = (await backend.get(key)) as SessionEntry;
      (got.origin as { label: string }).label = "changed";
      const [many] = await backend.getMany([key]);
      (many as SessionEntry).label = "changed";
      const listed = await backend.list();
      (listed.sessions[0] as { entry: SessionEntry }).entry.updatedAt = 0;
      await backend.update(key, (draft) => {
        const inside = draft.get(key) as SessionEntry;
        inside.label = "not set back";
        return null;
      });
      expect(await backend.get(key)).toEqual({ sessionId: "s-1", updatedAt: T0, origin: { label: "a" } });
    });

    it("treats __proto__ and constructor as ordinary keys and field names", async () => {
      const { backend } = use();
      const fields = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "c", "sessionId": "s-p", "updatedAt": 5}') as SessionEntry;
      for (const k of ["__proto__", "constructor", "toString"]) await backend.update(k, (draft) => draft.set(k, fields));
      const stored = (await backend.get("__proto__")) as SessionEntry;
      expect(Object.hasOwn(stored, "__proto__")).toBe(true);
      expect(Object.getOwnPropertyDescriptor(stored, "__proto__")?.value).toEqual({ polluted: true });
      expect(stored.constructor).toBe("c");
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((await backend.list()).sessions.map((row) => row.key).sort()).toEqual(["__proto__", "constructor", "toString"]);
      await backend.update("constructor", (draft) => draft.patch("constructor", JSON.parse('{"__proto__": "patched"}') as SessionEntry));
      expect(Object.getOwnPropertyDescriptor(await backend.get("constructor"), "__proto__")?.value).toBe("patched");
      expect(await backend.get("hasOwnProperty")).toBeUndefined();
    });

    it("update touches only the keys it names; a throwing fn changes nothing and fails alone", async () => {
      const { backend } = use();
      await seed(backend, key);
      expect(await codeOf(backend.update(key, (draft) => draft.patch("agent:main:other", { label: "x" })))).toBe("E_INVALID_ARGUMENT");
      const failing = backend.update([key], (draft) => {
        draft.patch(key, { label: "half" });
        throw new Error("boom");
      });
      const fine = backend.update([key, "agent:main:b"], (draft) => draft.patch("agent:main:b", { label: "b" }).label);
      await expect(failing).rejects.toThrow("boom");
      expect(await fine).toBe("b");
      expect((await backend.get(key))?.label).toBeUndefined();
      expect(await backend.get("agent:main:other")).toBeUndefined();
      expect(await codeOf(backend.update(key, (draft) => draft.set(key, { sessionId: "../bad", updatedAt: T0 })))).toBe("E_INVALID_ENTRY");
      expect(await codeOf(backend.update("", () => null))).toBe("E_INVALID_KEY");
      expect(await codeOf(backend.update([], () => null))).toBe("E_INVALID_ARGUMENT");
      expect(await codeOf(backend.get(""))).toBe("E_INVALID_KEY");
    });

    it("concurrent updates of one key lose nothing", async () => {
      const { backend } = use();
      await seed(backend, key, { count: 0 });
      const bump = () => backend.update(key, (draft) => draft.patch(key, { count: (draft.get(key)?.count as number) + 1 }));
      await Promise.all(Array.from({ length: 25 }, bump));
      expect((await backend.get(key))?.count).toBe(25);
    });

    it("reset-once: concurrent updates deciding a reset on a stale entry mint one new sessionId", async () => {
      const { backend, clock } = use();
      await seed(backend, key);
      clock.now = T0 + 2 * HOUR;
      const stale = (entry: SessionEntry | undefined) => entry !== undefined && clock.now - entry.updatedAt > HOUR;
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          backend.update(key, (draft) => {
            const current = draft.get(key) as SessionEntry;
            if (!stale(current)) return current.sessionId;
            return draft.set(key, { sessionId: `s-new-${i}`, updatedAt: clock.now, previousSessionIds: [current.sessionId] }).sessionId;
          }),
        ),
      );
      const entry = (await backend.get(key)) as SessionEntry;
      expect(new Set(results)).toEqual(new Set([entry.sessionId]));
      expect(entry.sessionId).toMatch(/^s-new-/);
      expect(entry.previousSessionIds).toEqual(["s-1"]);
    });

    it("lists newest activity first with channel, chat type, activity, limit and offset filters", async () => {
      const { backend, clock } = use();
      const rows: Array<[string, number, Record<string, unknown>]> = [
        ["agent:main:telegram:dm:1", T0 - 3 * HOUR, {}],
        ["agent:main:telegram:group:g", T0 - HOUR, {}],
        // Seeded before the discord entry it ties with: ties list by key, not by insertion.
        ["agent:main:main", T0 - 2 * MINUTE, { channel: "telegram", chatType: "direct" }],
        ["agent:main:discord:dm:2", T0 - 2 * MINUTE, {}],
        ["cron:job", T0 - 5 * HOUR, {}],
      ];
      for (const [k, at, extra] of rows) await seed(backend, k, { updatedAt: at, ...extra });
      const keys = async (query: Parameters<typeof backend.list>[0]) => (await backend.list(query)).sessions.map((row) => row.key);
      expect(await keys({})).toEqual(["agent:main:discord:dm:2", "agent:main:main", "agent:main:telegram:group:g", "agent:main:telegram:dm:1", "cron:job"]);
      expect(await keys({ channel: " Telegram " })).toEqual(["agent:main:main", "agent:main:telegram:group:g", "agent:main:telegram:dm:1"]);
      expect(await keys({ chatType: "direct" })).toEqual(["agent:main:discord:dm:2", "agent:main:main", "agent:main:telegram:dm:1"]);
      expect(await keys({ activeWithinMs: HOUR })).toEqual(["agent:main:discord:dm:2", "agent:main:main", "agent:main:telegram:group:g"]);
      clock.now = T0 + 30 * MINUTE;
      expect(await keys({ activeWithinMs: HOUR })).toEqual(["agent:main:discord:dm:2", "agent:main:main"]);
      expect(await keys({ activeWithinMs: HOUR, now: T0 })).toHaveLength(3);
      const page = await backend.list({ limit: 2, offset: 1 });
      expect(page.sessions.map((row) => row.key)).toEqual(["agent:main:main", "agent:main:telegram:group:g"]);
      expect(page.total).toBe(5);
      expect((await backend.list({ channel: "telegram", limit: 1 })).total).toBe(3);
      expect(await codeOf(backend.list({ limit: 0 }))).toBe("E_INVALID_ARGUMENT");
      expect(await codeOf(backend.list({ offset: -1 }))).toBe("E_INVALID_ARGUMENT");
      expect(await codeOf(backend.list({ chatType: "dm" as "direct" }))).toBe("E_INVALID_ARGUMENT");
    });
  });
}
