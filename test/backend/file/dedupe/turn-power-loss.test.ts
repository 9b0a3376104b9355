/**
 * A turn's claim record is a link made without an fsync (dedupe/claim-batch.ts): its
 * message's transcript line, fsynced before the turn resolves, is the durable mark. A power
 * loss can lose the record and keep the line. Shaped here as the disk would leave it: the
 * record removed, then a new backend (a restarted gateway) sees the redelivery. Its first
 * claim for the key finds the line among the transcript's newest bytes: a duplicate, with
 * no second line and no second reset.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openFileBackend, type FileBackend } from "../../../../src/backend/file/index.js";
import type { SessionEntry } from "../../../../src/backend/types.js";

const key = "agent:main:telegram:dm:111";
const T0 = Date.UTC(2026, 0, 1);
const open: FileBackend[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((backend) => backend.close()));
  await Promise.all(dirs.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
});

async function stateDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-power-loss-"));
  dirs.push(dir);
  return dir;
}

function backendAt(dir: string, now = T0): FileBackend {
  const backend = openFileBackend({ stateDir: dir, durable: true, now: () => now });
  open.push(backend);
  return backend;
}

/** A turn for inbound message `id`; `reset` starts a new session (as `/new` does) whatever the entry. */
function turnOf(backend: FileBackend, id: string, content: string, reset = false) {
  return backend.turn({
    key,
    claim: { identity: { channel: "telegram", peerId: "111", messageId: id } },
    decide: (current: SessionEntry | undefined) =>
      current === undefined || reset
        ? { entry: { sessionId: `s-${id}`, updatedAt: T0, previousSessionIds: current === undefined ? [] : [current.sessionId] }, value: "new" }
        : { value: "kept" },
    messages: [{ role: "user" as const, content, timestamp: T0, meta: { channel: "telegram", senderId: "111", gatewayMessageId: id } }],
  });
}

/** What a power loss may leave: the claim records gone, the fsynced transcript lines kept. */
async function loseClaimRecords(dir: string): Promise<void> {
  await fs.rm(path.join(dir, "agents", "main", "sessions", "dedupe"), { recursive: true, force: true });
}

async function contents(backend: FileBackend): Promise<string[]> {
  return (await backend.read(key)).messages.map((m) => String(m.content));
}

describe("a turn's claim after a power loss took its record", () => {
  it("is a duplicate when its message is in the transcript (one line, the entry untouched)", async () => {
    const dir = await stateDir();
    const before = backendAt(dir);
    expect((await turnOf(before, "m-1", "hello")).duplicate).toBe(false);
    expect((await turnOf(before, "m-2", "again")).duplicate).toBe(false);
    await before.close();
    await loseClaimRecords(dir);

    const after = backendAt(dir);
    expect(await turnOf(after, "m-2", "again")).toEqual({ duplicate: true });
    expect(await turnOf(after, "m-1", "hello")).toEqual({ duplicate: true });
    expect((await turnOf(after, "m-3", "new one")).duplicate).toBe(false);
    expect(await contents(after)).toEqual(["hello", "again", "new one"]);
  });

  it("is a duplicate for a /new whose reset it made: no second reset", async () => {
    const dir = await stateDir();
    const before = backendAt(dir);
    await turnOf(before, "m-1", "hello");
    const reset = await turnOf(before, "m-new", "/new", true);
    if (reset.duplicate) throw new Error("expected the reset to be processed");
    await before.close();
    await loseClaimRecords(dir);

    const after = backendAt(dir);
    expect(await turnOf(after, "m-new", "/new", true)).toEqual({ duplicate: true });
    expect((await after.get(key))?.sessionId).toBe(reset.entry.sessionId);
    expect(await contents(after)).toEqual(["/new"]);
  });

  it("is processed when its message never reached the transcript", async () => {
    const dir = await stateDir();
    const before = backendAt(dir);
    await turnOf(before, "m-1", "hello");
    await before.close();
    await loseClaimRecords(dir);

    const after = backendAt(dir);
    expect((await turnOf(after, "m-9", "unseen")).duplicate).toBe(false);
    expect(await contents(after)).toEqual(["hello", "unseen"]);
  });
});
