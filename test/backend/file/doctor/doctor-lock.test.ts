import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { diagnose, repair } from "../../../../src/backend/file/doctor/doctor.js";
import { acquireLock, lockDirOf } from "../../../../src/backend/file/lock/lock.js";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import { useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-doctor-lock-");

describe("hub doctor --fix and a stale lock", () => {
  it("keeps a lock that changed hands between the diagnosis and the repair", async () => {
    const file = path.join(tmp(), "sessions.json");
    const store = openSessionStore({ path: file });
    await store.update("agent:main:main", { label: "x" }); // a canonical key: no legacy-key repair needs the lock the writer holds
    const lockDir = lockDirOf(file);
    await fs.mkdir(lockDir);
    await fs.writeFile(path.join(lockDir, "owner.json"), JSON.stringify({ pid: 1, host: "another-host", token: "frozen" }));
    const longAgo = new Date(Date.now() - 120_000);
    await fs.utimes(lockDir, longAgo, longAgo);

    const findings = await diagnose(store, {});
    expect(findings.filter((f) => f.kind === "stale-lock").map((f) => f.subject)).toEqual([lockDir]);
    // A writer takes the stale lock over before the operator's repair runs.
    const writer = await acquireLock(file, { timeoutMs: 3_000, staleMs: 10_000 });
    await repair(store, findings);
    expect(findings.find((f) => f.kind === "stale-lock")?.fixed).toBe("kept: the lock is held again (checked again before removing it)");
    writer.assertOwned();
    await writer.release();
  });
});
