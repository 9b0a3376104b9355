/**
 * An appender stopped (SIGSTOP) while it keeps the transcript's lock and fd (lease.ts,
 * kept-fds.ts), past the lock's staleMs: another process takes the lock over and appends;
 * once continued, the stopped one must not write through what it kept. The file is read
 * afterwards with our reader and the agent runtime's.
 */
import { SessionManager } from "@mariozechner/pi-coding-agent";
import { readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { releaseLeases } from "../../../../src/backend/file/lock/lease.js";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import { appendMessage } from "../../../../src/backend/file/transcripts/transcript-append.js";
import { readJsonLines, transcriptOf } from "../fixtures-transcripts.js";
import { ensureDistBuilt, runChild, useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-append-stall-");
const KEY = "agent:main:telegram:dm:111";

beforeAll(ensureDistBuilt);

async function waitStopped(pid: number): Promise<void> {
  for (;;) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("T")) return;
    await sleep(10);
  }
}

describe("an appender stopped past the transcript lock's staleMs while keeping its lock and fd", () => {
  it("loses them: the other process's messages and its own later ones are each in the file once, on one unforked chain", async () => {
    const storePath = path.join(tmp(), "sessions.json");
    const stalled = runChild("append-pause.mjs", [storePath, KEY, "s", 5, 5]);
    await stalled.waitForLine((line) => line === "stopping");
    await waitStopped(stalled.child.pid as number);

    // This process waits for the stopped holder's lock to go stale (10 s), takes it over and appends.
    const other = openSessionStore({ path: storePath, durable: true });
    const taken = [await appendMessage(other, KEY, { role: "assistant", content: "o-0" }), await appendMessage(other, KEY, { role: "assistant", content: "o-1" })];
    await other.close();
    await releaseLeases(tmp());

    stalled.child.kill("SIGCONT");
    await stalled.waitForLine((line) => line === "done");
    expect(await stalled.exited).toBe(0);

    const reader = openSessionStore({ path: storePath });
    const file = await transcriptOf(reader, KEY);
    await reader.close();
    const messages = (await readJsonLines(file)).filter((l) => l.type === "message") as Array<{ id: string; parentId: string | null; message: { content: string } }>;
    const contents = messages.map((m) => m.message.content);
    expect(contents).toEqual(["s-0", "s-1", "s-2", "s-3", "s-4", "o-0", "o-1", "s-5", "s-6", "s-7", "s-8", "s-9"]);
    messages.forEach((m, i) => expect(m.parentId).toBe(i === 0 ? null : messages[i - 1]?.id));
    expect(taken[0]?.parentId).toBe(messages[4]?.id);
    expect(SessionManager.open(file).buildSessionContext().messages.map((m) => (m as { content: unknown }).content)).toEqual(contents);
  }, 60_000);
});
