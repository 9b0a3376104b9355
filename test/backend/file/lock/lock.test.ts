import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, renameSync, statSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { HubError } from "../../../../src/errors.js";
import { acquireLock, inspectLock, isProcessAlive, lockDirOf, removeStaleLock, withLock } from "../../../../src/backend/file/lock/lock.js";
import { hostIdentity } from "../../../../src/backend/file/lock/lock-owner.js";
import { ensureDistBuilt, runChild, useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-lock-");
const file = () => path.join(tmp(), "sessions.json");

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.on("exit", resolve));
  const pid = child.pid;
  if (pid === undefined || isProcessAlive(pid)) throw new Error("could not find a dead pid");
  return pid;
}

/** A lock directory as another process would have left it. */
async function plantLock(owner: object | undefined, mtime?: Date): Promise<string> {
  const lockDir = lockDirOf(file());
  await fs.mkdir(lockDir);
  if (owner) await fs.writeFile(path.join(lockDir, "owner.json"), JSON.stringify(owner));
  if (mtime) await fs.utimes(lockDir, mtime, mtime);
  return lockDir;
}

async function ownerOf(lockDir: string): Promise<{ pid: number; host: string; token: string }> {
  return JSON.parse(await fs.readFile(path.join(lockDir, "owner.json"), "utf8")) as { pid: number; host: string; token: string };
}

async function lockError(promise: Promise<unknown>): Promise<HubError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HubError);
  return error as HubError;
}

describe("acquireLock", () => {
  it("creates <file>.lock holding an owner record with this pid and host, and removes it on release", async () => {
    const lock = await acquireLock(file(), { timeoutMs: 1_000, staleMs: 10_000 });
    const owner = await ownerOf(lockDirOf(file()));
    expect(owner.pid).toBe(process.pid);
    expect(owner.host).toBe(os.hostname());
    expect(owner.token).toMatch(/^.{8,}$/);
    await lock.release();
    expect(existsSync(lockDirOf(file()))).toBe(false);
    expect(readdirSync(tmp())).toEqual([]);
  });

  it("creates a missing parent directory", async () => {
    const nested = path.join(tmp(), "a", "b", "sessions.json");
    await withLock(nested, { timeoutMs: 1_000, staleMs: 10_000 }, async () => {
      expect(existsSync(lockDirOf(nested))).toBe(true);
    });
  });

  it("is exclusive: a second holder waits for the release", async () => {
    const events: string[] = [];
    const first = await acquireLock(file(), { timeoutMs: 1_000, staleMs: 10_000 });
    const second = withLock(file(), { timeoutMs: 5_000, staleMs: 10_000 }, async () => {
      events.push("second holds");
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    events.push("first releases");
    await first.release();
    await second;
    expect(events).toEqual(["first releases", "second holds"]);
  });

  it("takes over at once a lock whose owner process on this host is dead", async () => {
    const lockDir = await plantLock({ pid: await deadPid(), token: "dead-owner-token", ...hostIdentity() });
    const lock = await acquireLock(file(), { timeoutMs: 3_000, staleMs: 60_000 });
    expect((await ownerOf(lockDir)).pid).toBe(process.pid);
    // A rival that judged the same dead holding tries the same rename: it must fail, never
    // moving the fresh lock aside (the tombstone named after the dead token is in the way).
    expect(() => renameSync(lockDir, `${lockDir}.dead-dead-owner-token`)).toThrow(/ENOTEMPTY|EEXIST/);
    expect((await ownerOf(lockDir)).pid).toBe(process.pid);
    await lock.release();
    expect(readdirSync(tmp())).toEqual(["sessions.json.lock.dead-dead-owner-token"]);
  });

  it("does not take over a lock whose owner is alive: E_LOCK_TIMEOUT naming the owner", async () => {
    await plantLock({ pid: process.pid, host: os.hostname(), token: "someone-else" });
    const error = await lockError(acquireLock(file(), { timeoutMs: 200, staleMs: 60_000 }));
    expect(error.code).toBe("E_LOCK_TIMEOUT");
    expect(error.message).toContain(`pid ${process.pid} on ${os.hostname()}`);
    expect(error.file).toBe(file());
  });

  it("does not take over a lock owned by a process on another host", async () => {
    await plantLock({ pid: await deadPid(), host: `${os.hostname()}-elsewhere`, token: "remote" });
    const error = await lockError(acquireLock(file(), { timeoutMs: 200, staleMs: 60_000 }));
    expect(error.code).toBe("E_LOCK_TIMEOUT");
  });

  it("never declares dead by pid an owner in another pid namespace or boot with the same hostname (another container): it waits for staleMs", async () => {
    const pid = await deadPid();
    for (const elsewhere of [{ pidNs: "pid:[1]" }, { bootId: "00000000-0000-0000-0000-000000000000" }, { bootId: undefined, pidNs: undefined }]) {
      await fs.rm(lockDirOf(file()), { recursive: true, force: true });
      await plantLock({ pid, token: "container-b", ...hostIdentity(), ...elsewhere });
      const error = await lockError(acquireLock(file(), { timeoutMs: 200, staleMs: 60_000 }));
      expect(error.code).toBe("E_LOCK_TIMEOUT");
      expect((await ownerOf(lockDirOf(file()))).token).toBe("container-b");
    }
  });

  it("records the boot id and pid namespace of its owner", async () => {
    const lock = await acquireLock(file(), { timeoutMs: 1_000, staleMs: 10_000 });
    const owner = (await ownerOf(lockDirOf(file()))) as unknown as Record<string, unknown>;
    expect(owner.bootId).toBe(readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim());
    expect(owner.pidNs).toMatch(/^pid:\[\d+\]$/);
    await lock.release();
  });

  it("treats a lock not refreshed for staleMs as stale, whoever owns it", async () => {
    const longAgo = new Date(Date.now() - 120_000);
    await plantLock({ pid: process.pid, host: os.hostname(), token: "frozen" }, longAgo);
    const lock = await acquireLock(file(), { timeoutMs: 3_000, staleMs: 60_000 });
    await lock.release();
  });

  it("waits for a fresh lock directory with an unreadable owner record until the timeout", async () => {
    const lockDir = await plantLock(undefined);
    await fs.writeFile(path.join(lockDir, "owner.json"), "{not json");
    const error = await lockError(acquireLock(file(), { timeoutMs: 200, staleMs: 60_000 }));
    expect(error.code).toBe("E_LOCK_TIMEOUT");
  });

  it("respects clawdbot's lock file (sessions.json.lock created with wx) until it goes stale", async () => {
    await fs.writeFile(lockDirOf(file()), String(process.pid));
    const error = await lockError(acquireLock(file(), { timeoutMs: 200, staleMs: 60_000 }));
    expect(error.code).toBe("E_LOCK_TIMEOUT");
    const longAgo = new Date(Date.now() - 120_000);
    await fs.utimes(lockDirOf(file()), longAgo, longAgo);
    const lock = await acquireLock(file(), { timeoutMs: 3_000, staleMs: 60_000 });
    await lock.release();
    expect(readdirSync(tmp())).toEqual([]);
  });

  it("takes an empty lock directory at once (no session-hub process leaves one)", async () => {
    await plantLock(undefined);
    const lock = await acquireLock(file(), { timeoutMs: 3_000, staleMs: 60_000 });
    expect((await ownerOf(lockDirOf(file()))).pid).toBe(process.pid);
    await lock.release();
  });
});

describe("the lock across processes", () => {
  beforeAll(ensureDistBuilt);

  it("a lock held by a process killed with SIGKILL is taken over at once", async () => {
    const holder = runChild("hold-lock.mjs", [file()]);
    await holder.waitForLine((line) => line === "locked");
    // While the holder lives, nobody gets the lock.
    const error = await lockError(acquireLock(file(), { timeoutMs: 200, staleMs: 60_000 }));
    expect(error.code).toBe("E_LOCK_TIMEOUT");
    expect(error.message).toContain(`pid ${holder.child.pid}`);
    holder.child.kill("SIGKILL");
    await holder.exited;
    expect(existsSync(lockDirOf(file()))).toBe(true);
    const lock = await acquireLock(file(), { timeoutMs: 3_000, staleMs: 60_000 });
    await lock.release();
  });

  it("the lock directory never exists without its owner record (a crash at any instant leaves a lock that can be taken over)", async () => {
    const lockDir = lockDirOf(file());
    await fs.writeFile(file(), "{}");
    const churn = runChild("lock-churn.mjs", [file(), 400]);
    let seen = 0;
    let ownerless = 0;
    let finished = false;
    void churn.exited.then(() => {
      finished = true;
    });
    // A lock being released is renamed aside and then emptied: a listing that began just before
    // the rename may come back empty. So an observation counts as ownerless only when the same
    // directory (same inode at the lock path before and after) is found empty twice in a row.
    const look = (): { ino: number; owned: boolean } | undefined => {
      try {
        const ino = statSync(lockDir).ino;
        const owned = readdirSync(lockDir).includes("owner.json");
        return statSync(lockDir).ino === ino ? { ino, owned } : undefined;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
    };
    while (!finished) {
      const first = look();
      if (first) {
        seen++;
        const second = first.owned ? undefined : look();
        if (second && second.ino === first.ino && !second.owned) ownerless++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await churn.exited).toBe(0);
    expect(seen).toBeGreaterThan(0);
    expect(ownerless).toBe(0);
  });
});

describe("removing a stale lock (hub doctor --fix)", () => {
  it("judges it again at removal: a lock that changed hands since it was found stale is kept", async () => {
    const longAgo = new Date(Date.now() - 120_000);
    await plantLock({ pid: process.pid, host: "elsewhere", token: "frozen" }, longAgo);
    expect((await inspectLock(file(), 10_000)).state).toBe("stale");
    // Meanwhile a writer takes the stale lock over.
    const lock = await acquireLock(file(), { timeoutMs: 3_000, staleMs: 10_000 });
    const mine = (await ownerOf(lockDirOf(file()))).token;
    expect(await removeStaleLock(file(), 10_000)).toBe(false);
    expect((await ownerOf(lockDirOf(file()))).token).toBe(mine);
    expect(() => lock.assertOwned()).not.toThrow();
    await lock.release();
    expect(readdirSync(tmp())).toEqual([]);
  });

  it("removes a lock that is still stale", async () => {
    await plantLock({ pid: process.pid, host: "elsewhere", token: "frozen" }, new Date(Date.now() - 120_000));
    expect(await removeStaleLock(file(), 10_000)).toBe(true);
    expect(readdirSync(tmp())).toEqual([]);
  });
});

describe("assertOwned", () => {
  beforeAll(ensureDistBuilt);

  it("throws E_LOCK_COMPROMISED once the lock went stale or was taken over, and the late holder's release leaves the new holder's lock alone", async () => {
    const first = await acquireLock(file(), { timeoutMs: 1_000, staleMs: 2_000 });
    first.assertOwned();
    // Make it look frozen: not refreshed for longer than any staleMs.
    const longAgo = new Date(Date.now() - 120_000);
    await fs.utimes(lockDirOf(file()), longAgo, longAgo);
    expect(() => first.assertOwned()).toThrow(expect.objectContaining({ code: "E_LOCK_COMPROMISED" }) as Error);
    const holder = runChild("hold-lock.mjs", [file()]);
    await holder.waitForLine((line) => line === "locked");
    expect(() => first.assertOwned()).toThrow(expect.objectContaining({ code: "E_LOCK_COMPROMISED" }) as Error);
    await first.release().catch(() => undefined);
    expect((await ownerOf(lockDirOf(file()))).pid).toBe(holder.child.pid);
    holder.child.kill("SIGKILL");
    await holder.exited;
  });
});
