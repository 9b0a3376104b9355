/**
 * `hub status` shows the policy configured in the config file it read (not the defaults):
 * reset mode, hour and idle minutes, per-type and per-channel overrides, maintenance, and
 * which file it came from.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hub, useTempDir } from "./helpers.js";

const tmp = useTempDir();

const CONFIG = `{
  session: {
    reset: { mode: "idle", idleMinutes: 240 },
    resetByType: { group: { mode: "daily", atHour: 6 }, thread: { idleMinutes: 30 } },
    resetByChannel: { discord: { mode: "never" }, slack: { mode: "daily", atHour: 2, timezone: "Asia/Tokyo" } },
    timezone: "Europe/Berlin",
    maintenance: { pruneAfter: "14d", maxEntries: 200 },
  },
}`;

const policyLines = (stdout: string) => stdout.split("\n").filter((line) => /^(Config|Policy|  by |Maintenance)/.test(line));

describe("hub status: the configured policy", () => {
  it("from <state-dir>/hub.json5: the reset policy, its per-type and per-channel overrides and maintenance", async () => {
    await fs.writeFile(path.join(tmp(), "hub.json5"), CONFIG);
    const r = await hub(["status", "--state-dir", tmp()]);
    expect(r.code).toBe(0);
    expect(policyLines(r.stdout)).toEqual([
      `Config:       ${path.join(tmp(), "hub.json5")}`,
      "Policy:       dmScope per-channel-peer; reset idle, idle 240m (Europe/Berlin)",
      "  by type:    group: daily at 6:00, idle 240m; thread: idle, idle 30m",
      "  by channel: discord: never; slack: daily at 2:00 (Asia/Tokyo)",
      "Maintenance:  prune after 14d (cron/hook keys 7d), at most 200 entries, archives kept 30d",
    ]);
    const json = JSON.parse((await hub(["status", "--json", "--state-dir", tmp()])).stdout);
    expect(json.policy).toEqual({
      source: path.join(tmp(), "hub.json5"),
      dmScope: "per-channel-peer",
      reset: { mode: "idle", atHour: 4, idleMinutes: 240 },
      timezone: "Europe/Berlin",
      resetByType: { group: { mode: "daily", atHour: 6, idleMinutes: 240 }, thread: { mode: "idle", atHour: 4, idleMinutes: 30 } },
      resetByChannel: { discord: { mode: "never", atHour: 4, idleMinutes: null }, slack: { mode: "daily", atHour: 2, idleMinutes: null, timezone: "Asia/Tokyo" } },
      maintenance: { pruneAfter: "14d", machinePruneAfter: "7d", maxEntries: 200, archiveRetention: "30d" },
    });
  });

  it("--config <file> is the source, even with a hub.json5 in the state dir", async () => {
    await fs.writeFile(path.join(tmp(), "hub.json5"), CONFIG);
    const other = path.join(tmp(), "other.json5");
    await fs.writeFile(other, "{ session: { idleMinutes: 45 } }");
    const r = await hub(["status", "--state-dir", tmp(), "--config", other]);
    expect(policyLines(r.stdout).slice(0, 2)).toEqual([`Config:       ${other}`, expect.stringMatching(/^Policy: {7}dmScope per-channel-peer; reset idle, idle 45m \(/)]);
  });

  it('without a config file: "defaults (no config file)" and the defaults', async () => {
    const r = await hub(["status", "--json", "--state-dir", tmp()]);
    const json = JSON.parse(r.stdout);
    expect(json.policy).toMatchObject({ source: null, reset: { mode: "daily", atHour: 4, idleMinutes: null }, resetByType: {}, resetByChannel: {} });
    const text = await hub(["status", "--state-dir", tmp()]);
    expect(text.stdout).toContain("\nConfig:       defaults (no config file)\nPolicy:       dmScope per-channel-peer; reset daily at 4:00 (");
  });

  it("a channel name with control characters is escaped in the text output", async () => {
    await fs.writeFile(path.join(tmp(), "hub.json5"), '{ session: { resetByChannel: { "evil\\u001b[31m": { mode: "never" } } } }');
    const r = await hub(["status", "--state-dir", tmp()]);
    expect(r.stdout).not.toContain("\u001b");
    expect(r.stdout).toContain("  by channel: evil");
  });
});
