/**
 * A store update that fails after the transcript line was written (issue 9.6): on a real,
 * nearly full tmpfs, the line fits in the transcript's last page but the rewrite of
 * sessions.json does not. The call still succeeds (the message is in the transcript), the
 * failure is reported through onWarning, and a redelivery is a duplicate, never a second line.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHub } from "../../src/hub.js";
import { settleInboundPruning } from "../../src/backend/file/dedupe/dedupe.js";
import { releaseLeases } from "../../src/backend/file/lock/lease.js";
import type { StoreWarning } from "../../src/backend/file/store/session-store.js";
import { processed, transcriptMessages } from "./helpers.js";

const PAGE = 4096;
let mountPoint = "";
let mounted = false;
let skipReason = "";

beforeAll(async () => {
  mountPoint = await fs.mkdtemp(path.join(os.tmpdir(), "hub-full-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", mountPoint], { stdio: "pipe" });
    mounted = true;
  } catch (error) {
    skipReason = `cannot mount a tmpfs (${(error as Error).message.split("\n")[0]})`;
    if (process.env.CI === "true" && process.getuid?.() === 0) throw error;
    console.warn(`store-failure.test.ts skipped: ${skipReason}`);
  }
});

afterAll(async () => {
  if (mounted) execFileSync("umount", [mountPoint]);
  await fs.rm(mountPoint, { recursive: true, force: true });
});

/** Fills the filesystem, then frees exactly `pages` pages. */
async function fillLeaving(pages: number): Promise<void> {
  const filler = path.join(mountPoint, "filler");
  const handle = await fs.open(filler, "w");
  const chunk = Buffer.alloc(PAGE, 1);
  try {
    for (;;) await handle.write(chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  }
  const { size } = await handle.stat();
  await handle.truncate(Math.floor(size / PAGE) * PAGE - pages * PAGE);
  await handle.close();
}

describe("a store update failing after the append", () => {
  it("receive and reply succeed, warn, and a redelivery is a duplicate (one line per message)", async (ctx) => {
    if (!mounted) ctx.skip(skipReason);
    const warnings: StoreWarning[] = [];
    const stateDir = path.join(mountPoint, "state");
    const hub = await createHub({ stateDir, durable: false, onWarning: (w) => warnings.push(w) });
    const dm = { channel: "telegram", chatType: "direct", peerId: "42", senderName: "Bo" } as const;
    // A store of ~40 KB: rewriting it needs ten free pages.
    await hub.store.update("agent:main:filler", { label: "x".repeat(40_000) });
    const first = processed(await hub.receive({ ...dm, messageId: "m1", text: "first" }));
    await settleInboundPruning(hub.store);
    const before = JSON.parse(await fs.readFile(hub.store.path, "utf8")) as Record<string, { updatedAt: number }>;

    // The backup is this very version (a hard link), so the next write's backup frees nothing.
    const backup = `${hub.store.path}.bak`;
    await fs.rm(backup);
    await fs.link(hub.store.path, backup);
    // The transcript's lock, kept after the first append (lock/lease.ts), is given back, so the
    // next append takes it afresh. One page: the owner record of the transcript's lock (the
    // claim record is a link to the claim batch the first receive wrote: claim-batch.ts); none
    // for the activity clock's journal record (nor ten for a rewrite of the store).
    await releaseLeases();
    await fillLeaving(1);
    const second = processed(await hub.receive({ ...dm, messageId: "m2", text: "second" }));
    expect(second.message).toMatchObject({ role: "user", content: "second" });
    expect(warnings.map((w) => w.code)).toHaveLength(1);
    // E_IO from today's atomic write; E_NO_SPACE once it reports ENOSPC as such.
    expect(["E_IO", "E_NO_SPACE"]).toContain(warnings[0]?.code);
    expect(warnings[0]?.message).toContain("is in the transcript");

    expect(await hub.receive({ ...dm, messageId: "m2", text: "second" })).toEqual({ duplicate: true });
    const reply = await hub.reply(first.sessionKey, { text: "answer" });
    expect(reply.sent).toBe(true);
    expect(warnings).toHaveLength(2);

    const lines = await transcriptMessages(stateDir, first.sessionId);
    expect(lines.map((l) => l.message?.content)).toEqual(["first", "second", "answer"]);
    // The store was never replaced by a torn file: it still parses, as it was.
    expect(JSON.parse(await fs.readFile(hub.store.path, "utf8"))).toEqual(before);
    await fs.rm(path.join(mountPoint, "filler"));
    await hub.close();
  });
});
