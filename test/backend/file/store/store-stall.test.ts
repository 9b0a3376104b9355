import { readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import { ensureDistBuilt, readStoreFile, runChild, useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-stall-");
const STALE_MS = 2_000;

beforeAll(ensureDistBuilt);

/** Waits until the process is stopped (state T in /proc/<pid>/stat). */
async function waitStopped(pid: number): Promise<void> {
  for (;;) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("T")) return;
    await sleep(10);
  }
}

describe("a writer stopped inside the lock past staleMs (SIGSTOP), while another process takes the lock over and writes", () => {
  it("is refused with E_LOCK_COMPROMISED once continued (SIGCONT): nothing it had is written over the other's update", async () => {
    const file = path.join(tmp(), "sessions.json");
    const seed = openSessionStore({ path: file });
    await seed.update("first", { label: "before" });
    await seed.close();

    const stalled = runChild("stall-writer.mjs", [file, STALE_MS]);
    await stalled.waitForLine((line) => line === "inside");
    stalled.child.kill("SIGSTOP");
    await waitStopped(stalled.child.pid as number);

    // This process waits for the stopped holder's lock to go stale, takes it over and writes.
    const other = openSessionStore({ path: file, staleMs: STALE_MS, lockTimeoutMs: 30_000 });
    await other.update("second", { label: "acknowledged" });
    await other.close();
    expect((await readStoreFile(file)).second?.label).toBe("acknowledged");

    stalled.child.kill("SIGCONT");
    expect(await stalled.waitForLine((line) => line.startsWith("result "))).toBe("result E_LOCK_COMPROMISED");
    await stalled.exited;
    const data = await readStoreFile(file);
    expect(Object.keys(data).sort()).toEqual(["first", "second"]);
    expect(data.second?.label).toBe("acknowledged");
  });
});
