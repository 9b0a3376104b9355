/** Conformance: inbound de-duplication (exactly once, also for concurrent claims; release; expiry). */
import { describe, expect, it } from "vitest";
import { HOUR, T0, codeOf, useBackend, type MakeBackend } from "./harness.js";

export function describeClaims(makeBackend: MakeBackend): void {
  describe("inbound claims", () => {
    const use = useBackend(makeBackend);
    const message = { channel: "telegram", accountId: "bot", peerId: "42", messageId: "1001" };

    it("is true for the first delivery only; tells messages apart by channel, account, peer and id", async () => {
      const { backend } = use();
      expect(await backend.claim(message)).toBe(true);
      expect(await backend.claim({ ...message })).toBe(false);
      expect(await backend.claim({ ...message, channel: " Telegram ", accountId: "BOT" })).toBe(false);
      expect(await backend.claim({ ...message, messageId: "1002" })).toBe(true);
      expect(await backend.claim({ ...message, peerId: "43" })).toBe(true);
      expect(await backend.claim({ ...message, accountId: "other" })).toBe(true);
      expect(await backend.claim({ ...message, channel: "whatsapp" })).toBe(true);
      expect(await codeOf(backend.claim({ channel: "", messageId: "1" }))).toBe("E_INVALID_ARGUMENT");
      expect(await codeOf(backend.claim(message, { ttlMs: 0 }))).toBe("E_INVALID_ARGUMENT");
    });

    it("gives exactly one of many concurrent claims of one message", async () => {
      const { backend } = use();
      const results = await Promise.all(Array.from({ length: 30 }, () => backend.claim(message)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it("a released claim lets the redelivery through", async () => {
      const { backend } = use();
      expect(await backend.release(message)).toBe(false);
      expect(await backend.claim(message)).toBe(true);
      expect(await backend.release(message)).toBe(true);
      expect(await backend.claim(message)).toBe(true);
      expect(await backend.claim(message)).toBe(false);
    });

    it("an expired claim is taken over, and pruneClaims removes expired claims only", async () => {
      const { backend, clock } = use();
      expect(await backend.claim(message, { ttlMs: HOUR })).toBe(true);
      expect(await backend.claim({ ...message, messageId: "long" }, { ttlMs: 10 * HOUR })).toBe(true);
      clock.now = T0 + 2 * HOUR;
      expect(await backend.claim(message, { ttlMs: HOUR, now: T0 + HOUR - 1 })).toBe(false);
      expect(await backend.claim(message, { ttlMs: HOUR })).toBe(true);
      clock.now = T0 + 4 * HOUR;
      expect(await backend.pruneClaims()).toEqual({ removed: 1, kept: 1 });
      expect(await backend.claim({ ...message, messageId: "long" })).toBe(false);
      expect(await backend.pruneClaims({ now: T0 + 11 * HOUR })).toEqual({ removed: 1, kept: 0 });
    });
  });
}
