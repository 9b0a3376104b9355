import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { claimInbound, pruneInbound, settleInboundPruning } from "../../../../src/backend/file/dedupe/dedupe.js";
import { diagnose, repair } from "../../../../src/backend/file/doctor/doctor.js";
import { openTestStore } from "../fixtures-transcripts.js";
import { errorCodeOf, useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-internal-links-");
const RECORD = "0123456789abcdef0123456789abcdef012345"; // a dedupe record name (38 hex)
const EXPIRED = JSON.stringify({ claimedAt: 0, expiresAt: 1, channel: "x", accountId: "default", messageId: "1" });

/** A directory outside the sessions directory holding files that must survive. */
async function outsideDir(): Promise<string> {
  const dir = path.join(tmp(), "outside");
  await fs.mkdir(path.join(dir, "ab"), { recursive: true });
  await fs.writeFile(path.join(dir, "ab", RECORD), EXPIRED);
  await fs.writeFile(path.join(dir, RECORD), EXPIRED);
  return dir;
}

async function listing(dir: string): Promise<string[]> {
  return (await fs.readdir(dir, { recursive: true })).map(String).sort();
}

describe("the store's own directories never lead outside the sessions directory", () => {
  it("refuses claims and pruning when dedupe/ is a symlink outside, deleting nothing there", async () => {
    const store = openTestStore(tmp());
    await fs.mkdir(store.dir, { recursive: true });
    const outside = await outsideDir();
    const before = await listing(outside);
    await fs.symlink(outside, path.join(store.dir, "dedupe"));
    expect(await errorCodeOf(pruneInbound(store, { now: 10 }))).toBe("E_INVALID_SESSION_FILE");
    expect(await errorCodeOf(claimInbound(store, { channel: "telegram", messageId: "m1" }, { now: 10 }))).toBe("E_INVALID_SESSION_FILE");
    expect(await listing(outside)).toEqual(before);
  });

  it("refuses pruning a shard that is a symlink outside", async () => {
    const store = openTestStore(tmp());
    const outside = await outsideDir();
    const before = await listing(outside);
    await fs.mkdir(path.join(store.dir, "dedupe"), { recursive: true });
    await fs.symlink(path.join(outside, "ab"), path.join(store.dir, "dedupe", "ab"));
    expect(await errorCodeOf(pruneInbound(store, { now: 10 }))).toBe("E_INVALID_SESSION_FILE");
    expect(await listing(outside)).toEqual(before);
    expect(before).toContain(`ab/${RECORD}`);
  });

  it("follows a dedupe/ symlink that stays inside", async () => {
    const store = openTestStore(tmp());
    await fs.mkdir(path.join(store.dir, "real-dedupe"), { recursive: true });
    await fs.symlink(path.join(store.dir, "real-dedupe"), path.join(store.dir, "dedupe"));
    expect(await claimInbound(store, { channel: "telegram", messageId: "m1" }, { now: 10 })).toBe(true);
    expect(await claimInbound(store, { channel: "telegram", messageId: "m1" }, { now: 11 })).toBe(false);
    expect(await pruneInbound(store, { now: 10 + 48 * 3_600_000 })).toEqual({ removed: 1, kept: 0 });
    // The shards a first claim makes in the background, stopped before the directory goes.
    await settleInboundPruning(store);
  });

  it("a lock directory that is a symlink outside: writes are refused (E_INVALID_SESSION_FILE), doctor --fix never deletes files there", async () => {
    const store = openTestStore(tmp(), { lockTimeoutMs: 5_000 });
    const key = "agent:main:main"; // canonical: doctor has no key to migrate under the lock
    await store.update(key, { label: "a" });
    const outside = path.join(tmp(), "outside-lock");
    await fs.mkdir(outside);
    await fs.writeFile(path.join(outside, "owner.json"), JSON.stringify({ pid: 2 ** 22 + 1, host: os.hostname(), token: "t" }));
    await fs.writeFile(path.join(outside, "precious.txt"), "keep me");
    await fs.utimes(outside, new Date(0), new Date(0));
    await fs.symlink(outside, `${store.path}.lock`);
    expect(await errorCodeOf(store.update(key, { label: "b" }))).toBe("E_INVALID_SESSION_FILE");
    await repair(store, await diagnose(store, { staleMs: 2_000 }));
    expect(await listing(outside)).toEqual(["owner.json", "precious.txt"]);
  });
});
