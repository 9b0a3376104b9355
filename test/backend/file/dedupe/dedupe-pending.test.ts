/**
 * Unfinished claims (issue 9.4): with `delivered`, a repeat that finds a claim whose owner is
 * gone, or one older than DEDUPE_PENDING_MS, asks whether the message reached its destination
 * and takes the claim over when it did not. A live, young claim is final without asking.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEDUPE_PENDING_MS, claimInbound, settleInboundPruning, type DedupeStore } from "../../../../src/backend/file/dedupe/dedupe.js";
import { useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-dedupe-pending-");
const T0 = Date.UTC(2026, 0, 1);
const message = { channel: "telegram", peerId: "42", messageId: "m1" };
const used: DedupeStore[] = [];

afterEach(async () => {
  await Promise.all(used.map((store) => settleInboundPruning(store)));
  used.length = 0;
});

function storeAt(dir: string): DedupeStore {
  const store = { dir: path.join(dir, "sessions"), durable: false, now: () => T0 };
  used.push(store);
  return store;
}

/** A `delivered` that answers `answer` and counts its calls. */
function asker(answer: boolean): { delivered: () => Promise<boolean>; calls: number } {
  const state = { calls: 0, delivered: async () => (state.calls++, answer) };
  return state;
}

/** The only record file, and its JSON. */
async function theRecord(store: DedupeStore): Promise<{ file: string; json: Record<string, unknown> }> {
  const dir = path.join(store.dir, "dedupe");
  const shards = await fs.readdir(dir).then((names) => names.filter((n) => /^[0-9a-f]{2}$/.test(n)));
  // The other shards are made ahead, empty (shards.ts).
  const files = (await Promise.all(shards.map(async (shard) => (await fs.readdir(path.join(dir, shard))).map((name) => path.join(dir, shard, name))))).flat();
  expect(files).toHaveLength(1);
  const file = files[0] as string;
  return { file, json: JSON.parse(await fs.readFile(file, "utf8")) as Record<string, unknown> };
}

describe("claimInbound with delivered", () => {
  it("records its owner; a young claim of a live owner is final without asking", async () => {
    const store = storeAt(tmp());
    expect(await claimInbound(store, message, { now: T0 })).toBe(true);
    expect((await theRecord(store)).json.owner).toMatchObject({ pid: process.pid });
    const ask = asker(false);
    expect(await claimInbound(store, message, { now: T0 + DEDUPE_PENDING_MS, delivered: ask.delivered })).toBe(false);
    expect(ask.calls).toBe(0);
  });

  it("older than the bound: taken over when the message never arrived", async () => {
    const store = storeAt(tmp());
    await claimInbound(store, message, { now: T0 });
    const ask = asker(false);
    expect(await claimInbound(store, message, { now: T0 + DEDUPE_PENDING_MS + 1, delivered: ask.delivered })).toBe(true);
    expect(ask.calls).toBe(1);
    expect((await theRecord(store)).json.claimedAt).toBe(T0 + DEDUPE_PENDING_MS + 1);
  });

  it("older than the bound, message delivered: a duplicate, and the record is marked done (never asked again)", async () => {
    const store = storeAt(tmp());
    await claimInbound(store, message, { now: T0 });
    const ask = asker(true);
    const later = T0 + DEDUPE_PENDING_MS + 1;
    expect(await claimInbound(store, message, { now: later, delivered: ask.delivered })).toBe(false);
    expect((await theRecord(store)).json.done).toBe(true);
    expect(await claimInbound(store, message, { now: later + 1000, delivered: ask.delivered })).toBe(false);
    expect(ask.calls).toBe(1);
  });

  it("a claim whose owner process is gone is checked at once; one on another host is not", async () => {
    const store = storeAt(tmp());
    await claimInbound(store, message, { now: T0 });
    const { file, json } = await theRecord(store);
    const dead = spawnSync(process.execPath, ["-e", ""]).pid as number; // exited and reaped
    await fs.writeFile(file, JSON.stringify({ ...json, owner: { ...(json.owner as object), pid: dead, start: 1 } }));
    const ask = asker(false);
    expect(await claimInbound(store, message, { now: T0 + 1, delivered: ask.delivered })).toBe(true);
    expect(ask.calls).toBe(1);

    const taken = await theRecord(store);
    await fs.writeFile(file, JSON.stringify({ ...taken.json, owner: { pid: dead, host: "another-host" } }));
    const other = asker(false);
    expect(await claimInbound(store, message, { now: T0 + 2, delivered: other.delivered })).toBe(false);
    expect(other.calls).toBe(0);
  });

  it("without delivered, every live claim stays final (the store-level API is unchanged)", async () => {
    const store = storeAt(tmp());
    await claimInbound(store, message, { now: T0 });
    expect(await claimInbound(store, message, { now: T0 + DEDUPE_PENDING_MS * 10 })).toBe(false);
  });
});
