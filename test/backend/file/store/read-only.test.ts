/**
 * A read-only file system, for real: a tmpfs is mounted, a store written to it, and the mount
 * remounted read-only. Needs root (mount); skipped with a printed reason elsewhere, but never
 * in CI, where the tests run as root.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HubError } from "../../../../src/errors.js";
import { claimInbound } from "../../../../src/backend/file/dedupe/dedupe.js";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import { appendMessage } from "../../../../src/backend/file/transcripts/transcript-append.js";
import { readMessages } from "../../../../src/backend/file/transcripts/transcript-read.js";

const KEY = "agent:main:telegram:dm:111";
let mountDir = "";
let skipReason: string | undefined;

function mount(...args: string[]): void {
  execFileSync("mount", args, { stdio: "pipe" });
}

beforeAll(async () => {
  mountDir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-readonly-"));
  try {
    mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", mountDir);
  } catch (error) {
    skipReason = `cannot mount a tmpfs (${(error as Error).message.split("\n")[0]}): needs root`;
    if (process.env.CI === "true") throw new Error(`${skipReason}; in CI this test must run`, { cause: error });
    console.warn(`read-only.test.ts skipped: ${skipReason}`);
    return;
  }
  const store = openSessionStore({ path: path.join(mountDir, "sessions", "sessions.json"), durable: false });
  await appendMessage(store, KEY, { role: "user", content: "before" });
  mount("-o", "remount,ro", mountDir);
});

afterAll(async () => {
  if (skipReason === undefined) execFileSync("umount", [mountDir]);
  await fs.rm(mountDir, { recursive: true, force: true });
});

/** The HubError a call rejects with (its code and the errno code of its cause). */
async function failure(call: () => Promise<unknown>): Promise<{ code: string; cause: string | undefined }> {
  try {
    await call();
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    return { code: error.code, cause: (error.cause as NodeJS.ErrnoException | undefined)?.code };
  }
  throw new Error("expected a rejection");
}

describe("a read-only file system", () => {
  const store = () => openSessionStore({ path: path.join(mountDir, "sessions", "sessions.json"), durable: false, cacheTtlMs: 0 });
  const fresh = () => openSessionStore({ path: path.join(mountDir, "other", "sessions", "sessions.json"), durable: false });

  it("is E_READ_ONLY with the EROFS cause for every write, never ENOENT", async (context) => {
    if (skipReason !== undefined) return context.skip();
    const readOnly = { code: "E_READ_ONLY", cause: "EROFS" };
    expect(await failure(() => store().update(KEY, { label: "x" }))).toEqual(readOnly);
    expect(await failure(() => appendMessage(store(), KEY, { role: "user", content: "after" }))).toEqual(readOnly);
    expect(await failure(() => claimInbound(store(), { channel: "telegram", messageId: "1" }))).toEqual(readOnly);
    expect(await failure(() => fresh().update(KEY, { label: "x" }))).toEqual(readOnly);
    expect(await failure(() => appendMessage(fresh(), KEY, { role: "user", content: "x" }))).toEqual(readOnly);
  });

  it("still reads what is there", async (context) => {
    if (skipReason !== undefined) return context.skip();
    expect((await store().list()).map((r) => r.key)).toEqual([KEY]);
    expect((await readMessages(store(), KEY)).messages.map((m) => m.content)).toEqual(["before"]);
  });
});
