import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import { lockDirOf } from "../../../../src/backend/file/lock/lock.js";
import { ensureDistBuilt, readStoreFile, runChild, useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-crash-");
const KILLS = 24;

beforeAll(ensureDistBuilt);

describe("a writer killed with SIGKILL mid-write", () => {
  it("never leaves a file that does not parse, never loses an acknowledged update, and never stalls the next writer", async () => {
    const file = path.join(tmp(), "agents", "main", "sessions", "sessions.json");
    const acked: string[] = [];
    let locksLeftBehind = 0;
    for (let run = 0; run < KILLS; run++) {
      // staleMs is far above lockTimeoutMs: a lock left by the previous (killed) writer can only
      // be passed by taking it over from its dead owner, never by waiting for it to go stale.
      const writer = runChild("crash-writer.mjs", [file, `run${run}`, 3_000, 60_000]);
      await writer.waitForLine((line) => line.startsWith("ack "));
      await sleep(1 + Math.random() * 12);
      writer.child.kill("SIGKILL");
      expect(await writer.exited).toBe("SIGKILL");
      if (existsSync(lockDirOf(file))) locksLeftBehind++;

      acked.push(...writer.lines.filter((line) => line.startsWith("ack ")).map((line) => line.slice(4)));
      expect(writer.lines.filter((line) => line.startsWith("warn "))).toEqual([]);
      const data = await readStoreFile(file);
      const keys = Object.keys(data).filter((key) => key !== "counter");
      for (const key of acked) expect(data[key], key).toBeDefined();
      // The key and the counter are written in one mutation: the file never holds one without the other.
      expect(data.counter?.count).toBe(keys.length);
      // At most the one write in flight at the kill landed without its acknowledgement.
      expect(keys.length - acked.length).toBeGreaterThanOrEqual(0);
      expect(keys.length - acked.length).toBeLessThanOrEqual(run + 1);
    }
    // The kills did land while the lock was held, so the takeovers above were exercised.
    expect(locksLeftBehind).toBeGreaterThan(0);
    expect(readdirSync(path.dirname(file)).filter((name) => name.includes(".corrupt."))).toEqual([]);

    // An in-process store takes over the last dead writer's lock just as well.
    const store = openSessionStore({ path: file, lockTimeoutMs: 3_000, staleMs: 60_000 });
    await store.update("after", { note: "survived" });
    const data = await readStoreFile(file);
    expect(data.after?.note).toBe("survived");
    expect(Object.keys(data).length).toBeGreaterThanOrEqual(acked.length + 2);
    await store.close();
  });
});
