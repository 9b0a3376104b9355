/**
 * `hub gateways` (issue 14 item 6): the gateway registry of the state dir.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createHub } from "../../src/index.js";
import { displayWidth } from "../../src/cli/width.js";
import { MINUTE, NOW, hub, useTempDir, writeJson } from "./helpers.js";

const tmp = useTempDir();

async function seed(): Promise<void> {
  let clock = NOW - 80 * MINUTE;
  const gateway = await createHub({ stateDir: tmp(), now: () => clock, durable: false });
  await gateway.registerGateway({ gatewayId: "tg-main", name: "Telegram bot", type: "telegram", config: { accountId: "bot123" } });
  clock = NOW - 5 * MINUTE;
  await gateway.registerGateway({ gatewayId: "wa-1", name: "WhatsApp 家族 📱", type: "whatsapp" });
  clock = NOW - 2 * MINUTE;
  await gateway.registerGateway({ gatewayId: "slack-old", name: "Slack", type: "slack", config: { accountId: "T01" } });
  await gateway.removeGateway("slack-old");
  await gateway.close();
}

describe("hub gateways", () => {
  it("lists id, channel, account, last seen, state and name within 80 columns", async () => {
    await seed();
    const r = await hub(["gateways", "--state-dir", tmp()]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(
      [
        `Gateways: 3 (${tmp()})`,
        "ID         CHANNEL   ACCOUNT  SEEN    STATE    NAME",
        "tg-main    telegram  bot123   1h ago  active   Telegram bot",
        "wa-1       whatsapp  -        5m ago  active   WhatsApp 家族 📱",
        "slack-old  slack     T01      2m ago  removed  Slack",
        "",
      ].join("\n"),
    );
    for (const line of r.stdout.split("\n")) expect(displayWidth(line)).toBeLessThanOrEqual(80);
  });

  it("--active leaves the removed ones out; --json has every field", async () => {
    await seed();
    expect((await hub(["gateways", "--active", "--state-dir", tmp()])).stdout).not.toContain("slack-old");
    const payload = JSON.parse((await hub(["gateways", "--json", "--state-dir", tmp()])).stdout) as { count: number; gateways: Array<Record<string, unknown>> };
    expect(payload.count).toBe(3);
    expect(payload.gateways[0]).toEqual({
      gatewayId: "tg-main",
      name: "Telegram bot",
      channel: "telegram",
      accountId: "bot123",
      active: true,
      registeredAt: NOW - 80 * MINUTE,
      lastSeenAt: NOW - 80 * MINUTE,
      lastSeenAgeMs: 80 * MINUTE,
      removedAt: null,
    });
    expect(payload.gateways[2]).toMatchObject({ gatewayId: "slack-old", active: false, removedAt: NOW - 2 * MINUTE });
  });

  it("hostile names are escaped in the table and exact in --json", async () => {
    const evil = "x\u001b]0;pwned\u0007\u202eevil";
    await writeJson(path.join(tmp(), "gateways.json"), { g: { gatewayId: "g\u001b[2J", name: evil, type: "tele\ngram", config: { accountId: 42 }, active: true, registeredAt: NOW, updatedAt: NOW } });
    const table = (await hub(["gateways", "--state-dir", tmp()])).stdout;
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/u);
    expect(table).toContain("g\\u001b[2J  tele\\ngram  -        just now  active  x\\u001b]0;pwned\\u0007\\u202ee…\n");
    const json = (await hub(["gateways", "--json", "--state-dir", tmp()])).stdout;
    expect(json).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/u);
    expect((JSON.parse(json) as { gateways: Array<{ name: string; accountId: unknown }> }).gateways[0]).toMatchObject({ name: evil, accountId: null });
  });

  it("no registry says so; a missing state dir is exit 2 and creates nothing; bad flags are usage errors", async () => {
    await fs.mkdir(tmp(), { recursive: true });
    expect(await hub(["gateways", "--state-dir", tmp()])).toEqual({ code: 0, stderr: "", stdout: `Gateways: 0 (${tmp()})\nNo gateways registered.\n` });
    const missing = path.join(tmp(), "nope");
    expect(await hub(["gateways", "--state-dir", missing])).toEqual({ code: 2, stdout: "", stderr: `hub gateways: no state dir at ${missing} [E_NOT_FOUND]\n` });
    expect(await fs.readdir(tmp())).toEqual([]);
    const bad = await hub(["gateways", "--activ", "--state-dir", tmp()]);
    expect([bad.code, bad.stderr.split("\n")[0]]).toEqual([1, "hub gateways: unknown option --activ (did you mean --active?)"]);
    expect((await hub(["gateways", "extra", "--state-dir", tmp()])).code).toBe(1);
    const store = await hub(["gateways", "--store", "x.json", "--state-dir", tmp()]);
    expect([store.code, store.stderr.split("\n")[0]]).toEqual([1, "hub gateways: --store and --agent mean nothing for gateways on files: the registry is <state-dir>/gateways.json"]);
  });

  it("a corrupt registry is exit 2 with its code", async () => {
    await writeJson(path.join(tmp(), "gateways.json"), "{ not json");
    const r = await hub(["gateways", "--state-dir", tmp()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[E_CORRUPT_STORE\]\n$/u);
  });
});
