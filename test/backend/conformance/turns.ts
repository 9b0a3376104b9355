/** Conformance: one turn (claim, decision, append, clock), duplicates, failures and reset races. */
import { describe, expect, it } from "vitest";
import type { SessionEntry, TurnResult } from "../../../src/backend/types.js";
import { HOUR, MINUTE, T0, codeOf, seed, text, useBackend, type MakeBackend } from "./harness.js";

const key = "agent:main:telegram:dm:111";
const identity = { channel: "telegram", peerId: "111", messageId: "m-1" };

/** A decide that resets an entry idle for more than an hour (or absent) and records the reason. */
function idleReset(now: () => number, id: string) {
  return (current: SessionEntry | undefined) => {
    if (current === undefined) return { entry: { sessionId: id, updatedAt: now() }, value: "new" };
    if (now() - current.updatedAt <= HOUR) return { value: "kept" };
    const previousSessionIds = [current.sessionId, ...(current.previousSessionIds ?? [])];
    return { entry: { ...current, sessionId: id, updatedAt: now(), previousSessionIds }, value: "idle" };
  };
}

function processed<T>(result: TurnResult<T>) {
  if (result.duplicate) throw new Error("expected a processed turn, got a duplicate");
  return result;
}

export function describeTurns(makeBackend: MakeBackend): void {
  describe("turns", () => {
    const use = useBackend(makeBackend);

    it("claims, decides, appends and moves the clock in one call", async () => {
      const { backend, clock } = use();
      const now = () => clock.now;
      const first = processed(await backend.turn({ key, claim: { identity }, decide: idleReset(now, "s-a"), messages: [text("hi", T0)] }));
      expect(first).toMatchObject({ key, value: "new", entry: { sessionId: "s-a", updatedAt: T0 } });
      expect(first.messages[0]).toMatchObject({ content: "hi", parentId: null });
      clock.now = T0 + 10 * MINUTE;
      const second = processed(
        await backend.turn({ key, claim: { identity: { ...identity, messageId: "m-2" } }, decide: idleReset(now, "s-b"), messages: [text("again", clock.now)] }),
      );
      expect(second).toMatchObject({ value: "kept", entry: { sessionId: "s-a", updatedAt: T0 + 10 * MINUTE } });
      expect(second.messages[0]?.parentId).toBe(first.messages[0]?.id);
    });

    it("makes its messages from the decided entry and value when given a function", async () => {
      const { backend } = use();
      await seed(backend, key, { lastChannel: "telegram", sendPolicy: "deny" });
      const result = processed(
        await backend.turn({
          key,
          decide: (current) => {
            if (current === undefined) throw new Error("no session");
            return { value: current.sendPolicy !== "deny" };
          },
          messages: (entry, sent) => [{ role: "assistant", content: "reply", meta: { channel: entry.lastChannel as string, ...(sent ? {} : { suppressed: true }) } }],
        }),
      );
      expect(result.value).toBe(false);
      expect(result.messages[0]?.meta).toEqual({ channel: "telegram", suppressed: true });
      expect((await backend.read(key)).messages).toEqual(result.messages);
      const empty = backend.turn({ key, claim: { identity }, decide: () => ({ value: 0 }), messages: () => [] });
      expect(await codeOf(empty)).toBe("E_INVALID_ARGUMENT");
      expect(await backend.claim(identity)).toBe(true); // the failed turn left no claim
    });

    it("a redelivered message is a duplicate: nothing decided, nothing appended", async () => {
      const { backend, clock } = use();
      const turn = () => backend.turn({ key, claim: { identity }, decide: idleReset(() => clock.now, "s-a"), messages: [text("hi")] });
      const results = await Promise.all([turn(), turn(), turn(), turn()]);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(await turn()).toEqual({ duplicate: true });
      expect((await backend.read(key)).messages).toHaveLength(1);
    });

    it("a turn that fails before its append leaves no claim and no message behind", async () => {
      const { backend, clock } = use();
      const failing = backend.turn({
        key,
        claim: { identity },
        decide: () => {
          throw new Error("decide failed");
        },
        messages: [text("hi")],
      });
      await expect(failing).rejects.toThrow("decide failed");
      expect(await codeOf(backend.turn({ key, claim: { identity }, decide: () => ({ value: 0 }), messages: [text("hi")] }))).toBe("E_NOT_FOUND");
      expect(await backend.get(key)).toBeUndefined();
      const redelivered = await backend.turn({ key, claim: { identity }, decide: idleReset(() => clock.now, "s-a"), messages: [text("hi")] });
      expect(redelivered.duplicate).toBe(false);
      expect((await backend.read(key)).messages).toHaveLength(1);
      expect(await codeOf(backend.turn({ key, decide: () => ({ value: 0 }), messages: [] }))).toBe("E_INVALID_ARGUMENT");
    });

    it("a claim whose message never reached the transcript (its process died) is processed on redelivery after 2 minutes", async () => {
      const { backend, clock } = use();
      const inbound = (id: string, content: string) => ({ ...text(content), meta: { channel: "telegram", senderId: "111", gatewayMessageId: id } });
      const turn = (id: string, content: string) =>
        backend.turn({ key, claim: { identity: { ...identity, messageId: id } }, decide: idleReset(() => clock.now, "s-a"), messages: [inbound(id, content)] });
      processed(await turn("m-done", "delivered"));
      expect(await backend.claim({ ...identity, messageId: "m-lost" })).toBe(true); // a claim without its turn, as a crash leaves it
      clock.now = T0 + 3 * MINUTE;
      // The delivered message stays a duplicate; the lost one is processed, once.
      expect(await turn("m-done", "delivered")).toEqual({ duplicate: true });
      const lost = processed(await turn("m-lost", "lost"));
      expect(lost.messages[0]?.content).toBe("lost");
      expect(await turn("m-lost", "lost")).toEqual({ duplicate: true });
      clock.now = T0 + 6 * MINUTE;
      expect(await turn("m-lost", "lost")).toEqual({ duplicate: true });
      expect((await backend.read(key)).messages.map((m) => m.content)).toEqual(["delivered", "lost"]);
    });

    it("reset-once: racing turns on a stale entry start one new session, holding every message", async () => {
      const { backend, clock } = use();
      await seed(backend, key);
      clock.now = T0 + 2 * HOUR;
      const turns = Array.from({ length: 10 }, (_, i) =>
        backend.turn({ key, claim: { identity: { ...identity, messageId: `r-${i}` } }, decide: idleReset(() => clock.now, `s-new-${i}`), messages: [text(`r${i}`)] }),
      );
      const results = (await Promise.all(turns)).map(processed);
      const entry = (await backend.get(key)) as SessionEntry;
      expect(entry.sessionId).toMatch(/^s-new-/);
      expect(entry.previousSessionIds).toEqual(["s-1"]);
      expect(results.filter((r) => r.value === "idle")).toHaveLength(1);
      expect(new Set(results.map((r) => r.entry.sessionId))).toEqual(new Set([entry.sessionId]));
      const page = await backend.read(key, { limit: 50 });
      expect(page.messages.map((m) => m.content).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`).sort());
    });
  });
}
