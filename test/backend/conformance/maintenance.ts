/** Conformance: prune, delete, key migration, the gateway registry, and close. */
import { describe, expect, it } from "vitest";
import { DAY, HOUR, MINUTE, T0, codeOf, seed, text, useBackend, type MakeBackend } from "./harness.js";

export function describeMaintenance(makeBackend: MakeBackend): void {
  describe("maintenance", () => {
    const use = useBackend(makeBackend);

    it("prunes stale and over-cap sessions, keeps protected and main ones, archives transcripts", async () => {
      const { backend } = use();
      const at = (key: string, ageMs: number, sessionId: string) => seed(backend, key, { sessionId, updatedAt: T0 - ageMs });
      await at("agent:main:main", 90 * DAY, "s-main");
      await at("agent:main:telegram:dm:stale", 40 * DAY, "s-stale");
      await at("agent:main:telegram:dm:guarded", 40 * DAY, "s-guarded");
      await at("agent:main:telegram:dm:new1", MINUTE, "s-new1");
      await at("agent:main:telegram:dm:new2", 2 * MINUTE, "s-new2");
      await at("agent:main:telegram:dm:old", HOUR, "s-old");
      await backend.append("agent:main:telegram:dm:stale", "s-stale", [text("bye", T0 - 40 * DAY)]);
      await backend.touch("agent:main:telegram:dm:stale", "s-stale", T0 - 40 * DAY);
      const options = { pruneAfter: "30d", maxEntries: 4, protect: ["agent:main:telegram:dm:guarded"] };
      const dry = await backend.prune({ ...options, dryRun: true });
      expect(dry.removed.map((r) => [r.key, r.archived.length])).toEqual([
        ["agent:main:telegram:dm:stale", 1],
        ["agent:main:telegram:dm:old", 0],
      ]);
      expect((await backend.list()).total).toBe(6);
      const report = await backend.prune(options);
      expect(report.removed.map((r) => [r.key, r.reason, r.archived.length])).toEqual([
        ["agent:main:telegram:dm:stale", "stale", 1],
        ["agent:main:telegram:dm:old", "over-cap", 0],
      ]);
      expect(report.kept).toBe(4);
      const left = (await backend.list()).sessions.map((row) => row.key).sort();
      expect(left).toEqual(["agent:main:main", "agent:main:telegram:dm:guarded", "agent:main:telegram:dm:new1", "agent:main:telegram:dm:new2"]);
      expect(await backend.lastActivity("agent:main:telegram:dm:stale", "s-stale")).toBeUndefined();
      expect(await codeOf(backend.prune({ maxEntries: -1 }))).toBe("E_INVALID_ARGUMENT");
    });

    it("deletes sessions and archives their transcripts; absent keys are skipped", async () => {
      const { backend } = use();
      await seed(backend, "agent:main:a", { sessionId: "s-a" });
      await seed(backend, "agent:main:b", { sessionId: "s-b" });
      await backend.append("agent:main:a", "s-a", [text("x")]);
      const dry = await backend.delete(["agent:main:a", "agent:main:none"], { dryRun: true });
      expect(dry.map((d) => [d.key, d.sessionId, d.archived.length])).toEqual([["agent:main:a", "s-a", 1]]);
      expect(await backend.get("agent:main:a")).toBeDefined();
      const deleted = await backend.delete(["agent:main:a", "agent:main:none"]);
      expect(deleted.map((d) => [d.key, d.sessionId, d.archived.length])).toEqual([["agent:main:a", "s-a", 1]]);
      expect(await backend.get("agent:main:a")).toBeUndefined();
      expect(await backend.lastActivity("agent:main:a", "s-a")).toBeUndefined();
      expect((await backend.get("agent:main:b"))?.sessionId).toBe("s-b");
    });

    it("migrates a legacy key to its canonical spelling, newest entry winning", async () => {
      const { backend } = use();
      const canonical = "agent:main:telegram:dm:111";
      await seed(backend, canonical, { sessionId: "s-old", updatedAt: T0 - HOUR });
      await seed(backend, "agent:main:telegram:direct:111", { sessionId: "s-legacy", updatedAt: T0 });
      expect(await backend.migrateKeys(canonical)).toEqual({ key: canonical, migratedFrom: ["agent:main:telegram:direct:111"] });
      expect((await backend.get(canonical))?.sessionId).toBe("s-legacy");
      expect(await backend.get("agent:main:telegram:direct:111")).toBeUndefined();
      expect(await backend.migrateKeys(canonical)).toEqual({ key: canonical, migratedFrom: [] });
    });

    it("registers, re-registers, removes and lists gateways", async () => {
      const { backend, clock } = use();
      const first = await backend.registerGateway({ gatewayId: "tg", name: "Bot", type: "telegram", config: { token: "t" } });
      expect(first).toEqual({ gatewayId: "tg", name: "Bot", type: "telegram", config: { token: "t" }, active: true, registeredAt: T0, updatedAt: T0 });
      clock.now = T0 + MINUTE;
      await backend.registerGateway({ gatewayId: "wa", name: "Phone", type: "whatsapp" });
      const again = await backend.registerGateway({ gatewayId: "tg", name: "Bot 2", type: "telegram" });
      expect(again).toMatchObject({ name: "Bot 2", registeredAt: T0, updatedAt: T0 + MINUTE });
      expect(await backend.removeGateway("wa")).toBe(true);
      expect(await backend.removeGateway("wa")).toBe(false);
      expect((await backend.listGateways()).map((g) => [g.gatewayId, g.active])).toEqual([["tg", true], ["wa", false]]);
      expect((await backend.listGateways({ activeOnly: true })).map((g) => g.gatewayId)).toEqual(["tg"]);
      expect(await codeOf(backend.registerGateway({ gatewayId: "", name: "x", type: "y" }))).toBe("E_INVALID_ARGUMENT");
    });

    it("close waits for calls in flight, then refuses further calls with E_STORE_CLOSED", async () => {
      const { backend } = use();
      const pending = backend.append("agent:main:a", "s-a", [text("in flight")]);
      await backend.close();
      expect(await pending).toHaveLength(1);
      expect(await codeOf(backend.get("agent:main:a"))).toBe("E_STORE_CLOSED");
      expect(await codeOf(backend.claim({ channel: "telegram", messageId: "1" }))).toBe("E_STORE_CLOSED");
      expect(await codeOf(backend.listGateways())).toBe("E_STORE_CLOSED");
    });
  });
}
