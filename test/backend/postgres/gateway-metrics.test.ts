/**
 * A hub on Postgres publishes its metrics on its gateway's row: `hub status --database` shows
 * them (with the agent's snapshots only), and `listGateways` does not return them.
 */
import { describe, expect, it } from "vitest";
import { openPostgresBackend } from "../../../src/backend/postgres/index.js";
import { createHub } from "../../../src/hub.js";
import { hub as cli } from "../../cli/helpers.js";
import { usePostgresDatabase } from "../../support/postgres.js";
import { useTempDir } from "../../support.js";

const database = usePostgresDatabase("metrics");
const tmp = useTempDir();

describe("metrics on Postgres", () => {
  it("are published on the gateway's row, shown by hub status --database, and kept out of listGateways", async () => {
    const url = database();
    const backend = await openPostgresBackend({ connectionString: url });
    const other = await openPostgresBackend({ connectionString: url, agentId: "other" });
    try {
      const hub = await createHub({ backend, stateDir: tmp(), metricsPublishMs: 60_000 });
      await hub.registerGateway({ gatewayId: "tg", name: "Telegram", type: "telegram" });
      expect((await backend.readPublishedMetrics()).snapshots).toMatchObject([{ gatewayIds: ["tg"], agentId: "main", closed: false }]);
      await hub.receive({ channel: "telegram", chatType: "direct", peerId: "1", text: "hi", messageId: "a" });
      await hub.receive({ channel: "telegram", chatType: "direct", peerId: "1", text: "hi", messageId: "a" });
      await hub.close();
      const { snapshots, invalid } = await backend.readPublishedMetrics();
      expect(invalid).toEqual([]);
      expect(snapshots).toMatchObject([{ gatewayIds: ["tg"], closed: true, state: { counters: { messagesReceived: 2, duplicates: 1 }, resets: { new: 1 } } }]);
      expect((await other.readPublishedMetrics()).snapshots).toEqual([]);
      const gateways = await backend.listGateways();
      expect(gateways).toHaveLength(1);
      expect(Object.keys(gateways[0] ?? {})).not.toContain("metrics");

      const status = await cli(["status", "--json", "--database", url, "--state-dir", tmp()], { now: Date.now() });
      expect(status).toMatchObject({ code: 0, stderr: "" });
      const metrics = JSON.parse(status.stdout).metrics;
      expect(metrics.publishers).toMatchObject([{ gatewayIds: ["tg"], state: "closed", pid: process.pid }]);
      expect(metrics.total.counters).toMatchObject({ messagesReceived: 2, duplicates: 1 });
      const text = await cli(["status", "--database", url, "--state-dir", tmp()], { now: Date.now() });
      expect(text.stdout).toMatch(/\nMetrics: {6}2 received, 1 duplicates, 1 resets \(new 1\), 0 replies sent, 0 suppressed, 0 compactions\n/);
      expect(text.stdout).toContain(`\n  gateway tg (pid ${process.pid} on `);
    } finally {
      await backend.close();
      await other.close();
    }
  });
});
