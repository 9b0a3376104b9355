/**
 * A clock record that lands while another process compacts: once that compaction is over the
 * record counts without a second whole-file write (the message path stays O(1) in store size).
 */
import fs from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import { ensureDistBuilt, exists, runChild, useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-clock-race-");
const KEY = "agent:main:telegram:dm:111";

beforeAll(ensureDistBuilt);

describe("a clock record appended during another process's compaction", () => {
  it("counts once the compaction is over, with no write of sessions.json of its own", async () => {
    const file = path.join(tmp(), "sessions.json");
    const store = openSessionStore({ path: file, durable: false });
    await store.update(KEY, { sessionId: "s-1", sessionFile: "s-1.jsonl", updatedAt: 1_000 });
    const before = await fs.readFile(file, "utf8");
    const writes = store.stats.writes;

    const compaction = runChild("compaction-pause.mjs", [file]);
    await compaction.waitForLine((line) => line === "inside");
    const recorded = store.recordActivity(KEY, "s-1", 5_000, "s-1.jsonl");
    // The record is in the journal; the compaction (holding the lock) goes on, then ends.
    while (!(await exists(`${file}.clock`)) || (await fs.readFile(`${file}.clock`, "utf8")) === "") await sleep(10);
    await fs.writeFile(`${file}.go`, "");
    await recorded;
    expect(await compaction.exited).toBe(0);

    expect(store.stats.writes).toBe(writes);
    expect(await fs.readFile(file, "utf8")).toBe(before);
    expect((await store.get(KEY))?.updatedAt).toBe(5_000);
    expect((await openSessionStore({ path: file, readOnly: true }).get(KEY))?.updatedAt).toBe(5_000);
    await store.close();
    expect(JSON.parse(await fs.readFile(file, "utf8"))[KEY].updatedAt).toBe(5_000);
  });

  it("after a compaction that crashed (its set-aside journal left behind), the locked write folds as before", async () => {
    const file = path.join(tmp(), "sessions.json");
    const store = openSessionStore({ path: file, durable: false });
    await store.update(KEY, { sessionId: "s-1", sessionFile: "s-1.jsonl", updatedAt: 1_000 });
    const writes = store.stats.writes;
    await fs.writeFile(`${file}.clock.1`, "");
    await store.recordActivity(KEY, "s-1", 5_000, "s-1.jsonl");
    expect(store.stats.writes).toBe(writes + 1);
    expect(JSON.parse(await fs.readFile(file, "utf8"))[KEY].updatedAt).toBe(5_000);
    expect(await exists(`${file}.clock.1`)).toBe(false);
    await store.close();
  });
});
