import fs from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { claimInbound as claimInboundNow, pruneInbound, settleInboundPruning, type DedupeStore } from "../../../../src/backend/file/dedupe/dedupe.js";
import { openTestStore, runTogether } from "../fixtures-transcripts.js";
import { useTempDir, errorCodeOf, ensureDistBuilt } from "../helpers.js";
import { HOUR, T0, useDedupeStores } from "./dedupe-helpers.js";

const tmp = useTempDir("hub-dedupe-");
const track = useDedupeStores();

function claimInbound(store: DedupeStore, ...rest: Parameters<typeof claimInboundNow> extends [unknown, ...infer R] ? R : never): Promise<boolean> {
  return claimInboundNow(track(store), ...rest);
}

function storeAt(dir: string, now = T0): DedupeStore {
  return { dir: path.join(dir, "sessions"), durable: false, now: () => now };
}


/** Every record file under the dedupe directory. */
async function records(store: DedupeStore): Promise<string[]> {
  const dir = path.join(store.dir, "dedupe");
  const shards = (await fs.readdir(dir)).filter((name) => /^[0-9a-f]{2}$/.test(name));
  const files = await Promise.all(shards.map(async (shard) => (await fs.readdir(path.join(dir, shard))).map((name) => path.join(shard, name))));
  return files.flat().sort();
}

describe("claimInbound", () => {
  it("is true for the first delivery and false for repeats", async () => {
    const store = storeAt(tmp());
    const message = { channel: "telegram", accountId: "bot", peerId: "42", messageId: "1001" };
    expect(await claimInbound(store, message)).toBe(true);
    expect(await claimInbound(store, message)).toBe(false);
    expect(await claimInbound(store, { ...message })).toBe(false);
  });

  it("tells messages apart by channel, account, peer and message id, with normalized channel and account", async () => {
    const store = storeAt(tmp());
    const base = { channel: "telegram", accountId: "bot", peerId: "42", messageId: "1" };
    expect(await claimInbound(store, base)).toBe(true);
    expect(await claimInbound(store, { ...base, channel: "whatsapp" })).toBe(true);
    expect(await claimInbound(store, { ...base, accountId: "other" })).toBe(true);
    expect(await claimInbound(store, { ...base, peerId: "43" })).toBe(true);
    expect(await claimInbound(store, { ...base, messageId: "2" })).toBe(true);
    expect(await claimInbound(store, { ...base, channel: " Telegram ", accountId: "BOT" })).toBe(false);
    expect(await claimInbound(store, { channel: "imsg", messageId: 5 })).toBe(true);
    expect(await claimInbound(store, { channel: "imessage", accountId: "default", messageId: "5" })).toBe(false);
  });

  it("survives a restart: records are files under the sessions directory, mode 0600", async () => {
    const first = openTestStore(tmp());
    expect(await claimInbound(first, { channel: "discord", messageId: "m1" })).toBe(true);
    await first.close();
    const second = openTestStore(tmp());
    expect(await claimInbound(second, { channel: "discord", messageId: "m1" })).toBe(false);
    const [file] = await records(second);
    const stat = await fs.stat(path.join(second.dir, "dedupe", file ?? ""));
    expect(stat.mode & 0o777).toBe(0o600);
    expect(JSON.parse(await fs.readFile(path.join(second.dir, "dedupe", file ?? ""), "utf8"))).toMatchObject({ channel: "discord", accountId: "default", messageId: "m1" });
  });

  it("expires a claim after the TTL (24 h by default), with an injected clock", async () => {
    const message = { channel: "telegram", peerId: "42", messageId: "7" };
    expect(await claimInbound(storeAt(tmp(), T0), message)).toBe(true);
    expect(await claimInbound(storeAt(tmp(), T0 + 24 * HOUR - 1), message)).toBe(false);
    expect(await claimInbound(storeAt(tmp(), T0 + 24 * HOUR), message)).toBe(true);
    expect(await claimInbound(storeAt(tmp(), T0 + 25 * HOUR), message)).toBe(false);
    // Per-call TTL and clock.
    expect(await claimInbound(storeAt(tmp()), { ...message, messageId: "8" }, { ttlMs: 1000, now: T0 })).toBe(true);
    expect(await claimInbound(storeAt(tmp()), { ...message, messageId: "8" }, { now: () => T0 + 999 })).toBe(false);
    expect(await claimInbound(storeAt(tmp()), { ...message, messageId: "8" }, { now: T0 + 1000 })).toBe(true);
  });

  it("waits for a record being written (no valid content yet), and treats it as expired once it is old", async () => {
    const store = storeAt(tmp());
    const message = { channel: "telegram", messageId: "x" };
    await claimInbound(store, message);
    const [file] = await records(store);
    const record = path.join(store.dir, "dedupe", file ?? "");
    const written = await fs.readFile(record, "utf8");
    await fs.writeFile(record, "");
    const repeat = claimInbound(store, message);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await fs.writeFile(record, written); // the writer finishes within the grace period
    expect(await repeat).toBe(false);
    // Created and never written (its process was killed in between): taken over after 2 s.
    await fs.writeFile(record, "");
    expect(await claimInbound(store, message)).toBe(true);
    expect(await claimInbound(store, message)).toBe(false);
    await fs.writeFile(record, "{garbage");
    const old = new Date(Date.now() - 2 * 60 * 1000);
    await fs.utimes(record, old, old);
    expect(await claimInbound(store, message)).toBe(true);
    expect(await claimInbound(store, message)).toBe(false);
  });

  it("rejects invalid input with E_INVALID_ARGUMENT", async () => {
    const store = storeAt(tmp());
    const bad: Array<[unknown, unknown]> = [
      [{ channel: "", messageId: "1" }, {}],
      [{ channel: "telegram" }, {}],
      [{ channel: "telegram", messageId: "" }, {}],
      [{ channel: "telegram", messageId: "1", peerId: {} }, {}],
      [null, {}],
      [{ channel: "telegram", messageId: "1" }, { ttlMs: 0 }],
      [{ channel: "telegram", messageId: "1" }, { ttlMs: "1h" }],
      [{ channel: "telegram", messageId: "1" }, { now: "now" }],
    ];
    for (const [message, options] of bad) expect(await errorCodeOf(claimInbound(store, message as never, options as never))).toBe("E_INVALID_ARGUMENT");
  });
});

describe("pruning", () => {
  it("pruneInbound removes expired records and keeps live ones", async () => {
    const store = storeAt(tmp());
    for (let i = 0; i < 30; i++) await claimInbound(store, { channel: "telegram", messageId: `old-${i}` }, { ttlMs: HOUR, now: T0 });
    for (let i = 0; i < 5; i++) await claimInbound(store, { channel: "telegram", messageId: `new-${i}` }, { ttlMs: HOUR, now: T0 + HOUR / 2 });
    await settleInboundPruning(store);
    expect(await records(store)).toHaveLength(35);
    expect(await pruneInbound(store, { now: T0 + HOUR + 1 })).toEqual({ removed: 30, kept: 5 });
    expect(await records(store)).toHaveLength(5);
    expect(await claimInbound(store, { channel: "telegram", messageId: "new-0" }, { now: T0 + HOUR + 2 })).toBe(false);
    expect(await claimInbound(store, { channel: "telegram", messageId: "old-0" }, { now: T0 + HOUR + 2 })).toBe(true);
  });

  it("removes temp files left by a crash once they are old", async () => {
    const store = storeAt(tmp());
    await claimInbound(store, { channel: "telegram", messageId: "1" });
    const [file] = await records(store);
    const shard = path.join(store.dir, "dedupe", path.dirname(file ?? ""));
    await fs.writeFile(path.join(shard, "leftover.tmp"), "");
    await fs.writeFile(path.join(shard, "fresh.tmp"), "");
    const old = new Date(Date.now() - 10 * 60 * 1000);
    await fs.utimes(path.join(shard, "leftover.tmp"), old, old);
    await pruneInbound(store);
    expect((await fs.readdir(shard)).sort()).toEqual([path.basename(file ?? ""), "fresh.tmp"].sort());
  });

  it("claims prune expired records in the background, at most once an hour", async () => {
    let now = T0;
    const store: DedupeStore = { dir: path.join(tmp(), "sessions"), durable: false, now: () => now };
    for (let i = 0; i < 20; i++) await claimInbound(store, { channel: "telegram", messageId: `m${i}` }, { ttlMs: HOUR });
    await settleInboundPruning(store);
    now = T0 + 30 * 60 * 1000;
    await claimInbound(store, { channel: "telegram", messageId: "half-hour" }, { ttlMs: 10 * 60 * 1000 });
    await settleInboundPruning(store);
    expect(await records(store)).toHaveLength(21); // no prune within the hour
    now = T0 + 2 * HOUR;
    await claimInbound(store, { channel: "telegram", messageId: "later" }, { ttlMs: HOUR });
    await settleInboundPruning(store);
    expect(await records(store)).toHaveLength(1);
    expect(Number(await fs.readFile(path.join(store.dir, "dedupe", "pruned-at"), "utf8"))).toBe(T0 + 2 * HOUR);
  });
});

describe("several processes", () => {
  beforeAll(async () => {
    await ensureDistBuilt();
  });

  it("4 processes racing on the same 40 message ids: exactly one winner each", async () => {
    const dir = path.join(tmp(), "sessions");
    const ids = Array.from({ length: 40 }, (_, i) => `race-${i}`);
    const runs = await runTogether("fixtures-dedupe-child.mjs", tmp(), [0, 1, 2, 3].map(() => [dir, ids.join(","), T0]));
    const won = runs.flatMap((run) => JSON.parse(run.lines.find((l) => l.startsWith("[")) ?? "null") as string[]);
    expect(won.sort()).toEqual([...ids].sort());
    // And a restarted process still sees them as claimed.
    expect(await claimInbound(storeAt(tmp()), { channel: "telegram", peerId: "42", messageId: "race-0" })).toBe(false);
  });

  it("4 processes racing to take over the same expired claims: exactly one winner each", async () => {
    const dir = path.join(tmp(), "sessions");
    const ids = Array.from({ length: 20 }, (_, i) => `again-${i}`);
    for (const messageId of ids) await claimInbound(storeAt(tmp()), { channel: "telegram", peerId: "42", messageId }, { ttlMs: HOUR });
    const runs = await runTogether("fixtures-dedupe-child.mjs", tmp(), [0, 1, 2, 3].map(() => [dir, ids.join(","), T0 + 2 * HOUR]));
    const won = runs.flatMap((run) => JSON.parse(run.lines.find((l) => l.startsWith("[")) ?? "null") as string[]);
    expect(won.sort()).toEqual([...ids].sort());
  });
});
