/** Conformance: two instances on the same data (two gateway processes, two replicas). */
import { describe, expect, it } from "vitest";
import type { Backend, SessionEntry } from "../../../src/backend/types.js";
import { HOUR, T0, seed, text, useBackend, type MakeBackend } from "./harness.js";

const key = "agent:main:telegram:dm:111";

export function describeReplicas(makeBackend: MakeBackend): void {
  describe("two instances on the same data", () => {
    const use = useBackend(makeBackend);

    async function pair(): Promise<[Backend, Backend]> {
      const { backend, peer } = use();
      if (peer === undefined) throw new Error("makeBackend gave no peer()");
      return [backend, await peer()];
    }

    it("a message redelivered to both is processed once", async () => {
      const [one, two] = await pair();
      const identity = { channel: "telegram", peerId: "111", messageId: "42" };
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? one : two).claim(identity)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it("racing resets on both reset once; appends from both form one chain", async () => {
      const [one, two] = await pair();
      const { clock } = use();
      await seed(one, key);
      clock.now = T0 + 2 * HOUR;
      const decide = (id: string) => (current: SessionEntry | undefined) =>
        current !== undefined && clock.now - current.updatedAt <= HOUR
          ? { value: "kept" }
          : { entry: { sessionId: id, updatedAt: clock.now, previousSessionIds: current ? [current.sessionId] : [] }, value: "reset" };
      const turns = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? one : two).turn({ key, decide: decide(`s-new-${i}`), messages: [text(`t${i}`)] }));
      const results = await Promise.all(turns);
      expect(results.filter((r) => !r.duplicate && r.value === "reset")).toHaveLength(1);
      const [fromOne, fromTwo] = [await one.get(key), await two.get(key)];
      expect(fromOne).toEqual(fromTwo);
      expect(fromOne?.previousSessionIds).toEqual(["s-1"]);
      const page = await two.read(key, { limit: 50 });
      expect(page.messages).toHaveLength(8);
      expect(page.messages[0]?.parentId).toBeNull();
      page.messages.slice(1).forEach((m, i) => expect(m.parentId).toBe(page.messages[i]?.id));
    });
  });
}
