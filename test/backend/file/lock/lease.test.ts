/**
 * Leased locks (lock/lease.ts): the transcript lock kept across a burst of appends instead of
 * a lock directory created and removed per append, with the same cross-process guarantees:
 * another process gets the lock once this one is idle, a kept lock that was taken over is
 * never written under, and a process killed while keeping it loses nothing acknowledged.
 */
import fsSync, { existsSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { lockDirOf } from "../../../../src/backend/file/lock/lock.js";
import { releaseLeases, withLeasedLock } from "../../../../src/backend/file/lock/lease.js";
import { hostIdentity } from "../../../../src/backend/file/lock/lock-owner.js";
import { wantPathOf } from "../../../../src/backend/file/lock/lock-waiters.js";
import { HubError } from "../../../../src/errors.js";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import { appendMessage } from "../../../../src/backend/file/transcripts/transcript-append.js";
import { readJsonLines, transcriptOf } from "../fixtures-transcripts.js";
import { ensureDistBuilt, errorCodeOf, runChild, useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-lease-");
const file = () => path.join(tmp(), "s1.jsonl");
const OPTIONS = { timeoutMs: 30_000, staleMs: 10_000 };
const KEY = "agent:main:telegram:dm:42";

async function tokenOf(lockDir: string): Promise<string> {
  return (JSON.parse(await fs.readFile(path.join(lockDir, "owner.json"), "utf8")) as { token: string }).token;
}

beforeAll(async () => {
  await ensureDistBuilt();
}, 120_000);

describe("withLeasedLock", () => {
  it("keeps one lock directory across sections, and gives it back on releaseLeases", async () => {
    const lockDir = lockDirOf(file());
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) await withLeasedLock(file(), OPTIONS, async () => void tokens.push(await tokenOf(lockDir)));
    expect(new Set(tokens).size).toBe(1);
    expect(existsSync(lockDir)).toBe(true);
    await releaseLeases(tmp());
    expect(existsSync(lockDir)).toBe(false);
    expect(await fs.readdir(tmp())).toEqual([]);
  });

  it("runs the sections of one file one at a time, in call order", async () => {
    const order: string[] = [];
    const section = (name: string) => async () => {
      order.push(`${name}:in`);
      await new Promise((resolve) => setImmediate(resolve));
      order.push(`${name}:out`);
    };
    await Promise.all(["a", "b", "c"].map((name) => withLeasedLock(file(), OPTIONS, section(name))));
    expect(order).toEqual(["a:in", "a:out", "b:in", "b:out", "c:in", "c:out"]);
    await releaseLeases(tmp());
  });

  it("another process waiting for the lock gets it once this one is idle", async () => {
    await withLeasedLock(file(), OPTIONS, async () => undefined);
    const rival = runChild("hold-lock.mjs", [file()]);
    try {
      // Resolves only once this process has given the kept lock back (no timing asserted).
      await rival.waitForLine((line) => line === "locked");
      expect(existsSync(lockDirOf(file()))).toBe(true);
    } finally {
      rival.child.kill("SIGKILL");
      await rival.exited;
    }
  });

  it("a process marking that it waits gets the kept lock after the holder's current section, even while the holder keeps going", async () => {
    const lockDir = lockDirOf(file());
    await withLeasedLock(file(), OPTIONS, async () => undefined);
    const firstToken = await tokenOf(lockDir);
    const rival = runChild("hold-lock.mjs", [file()]);
    let keptAfterMark = 0;
    try {
      for (let i = 0; i < 10_000 && !rival.lines.includes("locked"); i++) {
        const marked = existsSync(wantPathOf(lockDir));
        const section = async () => {
          if (marked && (await tokenOf(lockDir)) === firstToken) keptAfterMark++;
        };
        const outcome = await withLeasedLock(file(), { timeoutMs: 200, staleMs: 10_000 }, section).then(
          () => "ran",
          (error: unknown) => (error instanceof HubError && error.code === "E_LOCK_TIMEOUT" ? "rival holds it" : Promise.reject(error)),
        );
        if (outcome !== "ran") break;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await rival.waitForLine((line) => line === "locked");
      // Without the mark the holder would keep its lock for LEASE_MAX_HOLD_MS, section after section.
      expect(keptAfterMark).toBeLessThanOrEqual(1);
      expect(existsSync(wantPathOf(lockDir))).toBe(false);
    } finally {
      rival.child.kill("SIGKILL");
      await rival.exited;
    }
    await releaseLeases(tmp());
  });

  it("never runs a section under a kept lock that another holder took over meanwhile", async () => {
    const lockDir = lockDirOf(file());
    await withLeasedLock(file(), OPTIONS, async () => undefined);
    // As after a stall past staleMs: the lock was taken over by a live process (the test runner's parent).
    await fs.rm(lockDir, { recursive: true });
    await fs.mkdir(lockDir);
    await fs.writeFile(path.join(lockDir, "owner.json"), JSON.stringify({ pid: process.ppid, token: "rival-token", ...hostIdentity() }));
    const ran = vi.fn(async () => undefined);
    expect(await errorCodeOf(withLeasedLock(file(), { timeoutMs: 300, staleMs: 10_000 }, ran))).toBe("E_LOCK_TIMEOUT");
    expect(ran).not.toHaveBeenCalled();
    expect(await tokenOf(lockDir)).toBe("rival-token");
    await fs.rm(lockDir, { recursive: true });
    await withLeasedLock(file(), OPTIONS, ran);
    expect(ran).toHaveBeenCalledTimes(1);
    expect(await tokenOf(lockDir)).not.toBe("rival-token");
    await releaseLeases(tmp());
  });
});

describe("appends under a kept lock", () => {
  it("a burst of appends creates the transcript's lock directory once", async () => {
    const store = openSessionStore({ path: path.join(tmp(), "sessions.json"), durable: false });
    const mkdirs = vi.spyOn(fsSync, "mkdirSync");
    for (let i = 0; i < 5; i++) await appendMessage(store, KEY, { role: "user", content: `m${i}` });
    const lockDirs = mkdirs.mock.calls.filter(([dir]) => String(dir).includes(".jsonl.lock"));
    mkdirs.mockRestore();
    expect(lockDirs).toHaveLength(1);
    await store.close();
    await releaseLeases(tmp());
  });

  it("SIGKILL while appending with the lock kept: every acknowledged message is there once, the chain is whole", async () => {
    const storePath = path.join(tmp(), "sessions.json");
    const writer = runChild("append-loop.mjs", [storePath, KEY, "w"]);
    await writer.waitForLine((line) => line === "acked w-40");
    writer.child.kill("SIGKILL");
    await writer.exited;
    const acked = writer.lines.filter((line) => line.startsWith("acked ")).map((line) => line.slice("acked ".length));
    // The dead writer's lock is taken over at once (its owner is gone), and the chain continues.
    const store = openSessionStore({ path: storePath, durable: true });
    const next = await appendMessage(store, KEY, { role: "user", content: "after" });
    const transcript = await transcriptOf(store, KEY);
    await store.close();
    await releaseLeases(tmp());
    const lines = await readJsonLines(transcript);
    const messages = lines.filter((l) => l.type === "message") as Array<{ id: string; parentId: string | null; message: { content: string } }>;
    const contents = messages.map((m) => m.message.content);
    for (const content of acked) expect(contents.filter((c) => c === content)).toHaveLength(1);
    expect(new Set(contents).size).toBe(contents.length);
    messages.forEach((m, i) => expect(m.parentId).toBe(i === 0 ? null : messages[i - 1]?.id));
    expect(contents.at(-1)).toBe("after");
    expect(next.parentId).toBe(messages.at(-2)?.id);
  });
});
