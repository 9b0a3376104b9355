import { existsSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import { ensureDistBuilt, entry, runChild, useTempDir, writeStoreFile } from "../helpers.js";

const tmp = useTempDir("hub-recovery-crash-");
const KILLS = 25;
const BACKUP = { "agent:main:main": entry("from-backup", 100, { label: "saved" }), "cron:job": entry("cron-1", 50) };

beforeAll(ensureDistBuilt);

describe("a process killed with SIGKILL while recovering a corrupt store", () => {
  it("leaves either the corrupt file or the restored one, and the next process finds every entry of the backup", async () => {
    const file = path.join(tmp(), "sessions.json");
    const corrupt = path.join(tmp(), "corrupt-bytes");
    await fs.writeFile(corrupt, '{ "agent:main:main": { "sessionId": "torn');
    await writeStoreFile(`${file}.bak`, BACKUP);
    const corruptBytes = readFileSync(corrupt);
    const restoredBytes = readFileSync(`${file}.bak`);
    const seen = { corrupt: 0, restored: 0 };
    for (let run = 0; run < KILLS; run++) {
      const child = runChild("recover-loop.mjs", [file, corrupt]);
      await child.waitForLine((line) => line === "corrupted");
      await sleep(Math.random() * 300);
      child.child.kill("SIGKILL");
      expect(await child.exited).toBe("SIGKILL");

      expect(existsSync(file), `run ${run}: sessions.json is missing`).toBe(true);
      const bytes = readFileSync(file);
      if (bytes.equals(corruptBytes)) seen.corrupt++;
      else if (bytes.equals(restoredBytes)) seen.restored++;
      else expect.fail(`run ${run}: sessions.json is neither the corrupt nor the restored bytes: ${bytes.toString()}`);

      const store = openSessionStore({ path: file, lockTimeoutMs: 5_000, staleMs: 60_000, onWarning: () => undefined });
      expect((await store.list()).map((item) => item.key)).toEqual(["agent:main:main", "cron:job"]);
      await store.close();
    }
    // The kills landed on both sides of the rename that restores the store.
    expect(seen.corrupt).toBeGreaterThan(0);
    expect(seen.restored).toBeGreaterThan(0);
    expect(readFileSync(`${file}.bak`)).toEqual(restoredBytes);
  });
});
