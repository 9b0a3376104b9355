import fs from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import { readJsonLines } from "../fixtures-transcripts.js";
import { ensureDistBuilt, exists, readStoreFile, runChild, useTempDir, type ChildRun } from "../helpers.js";

const tmp = useTempDir("hub-clock-crash-");
const KEYS = 3;

beforeAll(ensureDistBuilt, 180_000);

/** The newest acknowledged timestamp per key, from every child's "ack <key> <t>" lines. */
function acknowledged(children: ChildRun[]): Map<string, number> {
  const newest = new Map<string, number>();
  for (const child of children) {
    for (const line of child.lines) {
      const [word, key, t] = line.split(" ");
      if (word === "ack" && key !== undefined) newest.set(key, Math.max(newest.get(key) ?? 0, Number(t)));
    }
  }
  return newest;
}

/** The newest message timestamp in each key's transcript: the truth the clock must match. */
async function transcriptClocks(storePath: string): Promise<Map<string, number>> {
  const store = openSessionStore({ path: storePath, readOnly: true });
  const clocks = new Map<string, number>();
  for (const { key, entry } of await store.list()) {
    const lines = await readJsonLines(path.join(path.dirname(storePath), entry.sessionFile as string));
    clocks.set(key, Math.max(...lines.slice(1).map((l) => (l.message as { timestamp: number }).timestamp)));
  }
  return clocks;
}

function acks(child: ChildRun): number {
  return child.lines.filter((l) => l.startsWith("ack ")).length;
}

async function waitForAcks(children: ChildRun[], each: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (children.some((c) => acks(c) < each)) {
    if (Date.now() > deadline) throw new Error(`children stalled: ${children.map((c) => `${acks(c)} acks, stderr ${c.stderr()}`).join("; ")}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the clock journal across processes", () => {
  it("4 processes (one folding after every append) on shared keys: every clock exact, sessions.json folded after close", async () => {
    const file = path.join(tmp(), "sessions.json");
    // Process 0 folds constantly (activityFlushMs 1 and compact()), the others journal.
    const children = [0, 1, 2, 3].map((n) => runChild("clock-writer.mjs", [file, n, KEYS, 40, n === 0 ? 1 : 30_000, n === 0 ? 1 : 0]));
    const codes = await Promise.all(children.map((c) => c.exited));
    expect(codes, children.map((c) => c.stderr()).join("\n")).toEqual([0, 0, 0, 0]);
    expect(children.flatMap((c) => c.lines).filter((l) => l.startsWith("warn"))).toEqual([]);
    const truth = await transcriptClocks(file);
    const acked = acknowledged(children);
    expect(truth).toEqual(acked);
    const stored = await readStoreFile(file);
    for (const [key, t] of acked) expect(stored[key]?.updatedAt).toBe(t);
    // Every message is in its transcript exactly once (4 x 40 appends).
    let lines = 0;
    for (const entry of Object.values(stored)) lines += (await readJsonLines(path.join(tmp(), entry.sessionFile as string))).length - 1;
    expect(lines).toBe(160);
    expect(await exists(`${file}.clock`)).toBe(false);
    expect(await exists(`${file}.clock.1`)).toBe(false);
  }, 120_000);

  it("SIGKILL in the middle of journal appends and compactions loses no acknowledged clock", async () => {
    const file = path.join(tmp(), "sessions.json");
    const everAcked = new Map<string, number>();
    for (let round = 0; round < 3; round++) {
      const children = [0, 1, 2].map((n) => runChild("clock-writer.mjs", [file, n + 3 * round, KEYS, "forever", n === 0 ? 1 : 30_000, n === 2 ? 0 : 3]));
      await waitForAcks(children, 15 + 10 * round);
      for (const c of children) c.child.kill("SIGKILL");
      await Promise.all(children.map((c) => c.exited));
      const acked = acknowledged(children);
      const reader = openSessionStore({ path: file, readOnly: true });
      for (const [key, t] of acked) {
        expect((await reader.get(key))?.updatedAt).toBeGreaterThanOrEqual(t);
        everAcked.set(key, Math.max(everAcked.get(key) ?? 0, t));
      }
      // sessions.json itself always parses (never a half-written fold).
      await readStoreFile(file);
    }
    // A clean open and close folds what the killed processes left: every acknowledged clock,
    // never past the transcript (a line written but not acknowledged may lack its record).
    const store = openSessionStore({ path: file, now: () => 1_000 });
    const truth = await transcriptClocks(file);
    const seen = new Map<string, number>();
    for (const [key, t] of everAcked) {
      const at = (await store.get(key))?.updatedAt as number;
      expect(at).toBeGreaterThanOrEqual(t);
      expect(at).toBeLessThanOrEqual(truth.get(key) as number);
      seen.set(key, at);
    }
    await store.close();
    const stored = await readStoreFile(file);
    for (const [key, at] of seen) expect(stored[key]?.updatedAt).toBe(at);
    expect(await exists(`${file}.clock.1`)).toBe(false);
    await fs.rm(`${file}.clock`, { force: true });
  }, 180_000);
});
