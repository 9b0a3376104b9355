/**
 * What a reader of the clock journal may skip (clock-journal.ts `readFiles`): its own records
 * (merged when written, never read back) and the look for `.clock.1` while `.clock` is the
 * file it saw last. Another reader must still see every record, whichever step of a
 * compaction it meets: `.clock` renamed to `.clock.1` and a new `.clock` begun.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { ClockJournal } from "../../../../src/backend/file/journal/clock-journal.js";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import { useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-clock-reads-");

function journals(): [ClockJournal, ClockJournal] {
  const storePath = path.join(tmp(), "sessions.json");
  return [new ClockJournal(storePath, false), new ClockJournal(storePath, false)];
}

describe("appending to the clock journal", () => {
  it("an append made as the one before it resolves is written too (it was left waiting, and its caller hung)", async () => {
    const [writer] = journals();
    for (let t = 1; t <= 20; t++) await writer.append({ k: "a", s: "s1", t });
    expect(writer.latest("a", "s1")).toBe(20);
    expect(fs.readFileSync(writer.file, "utf8").trim().split("\n")).toHaveLength(20);
    writer.close();
  }, 5_000);
});

describe("reading the clock journal", () => {
  it("a reader sees records in .clock.1 after another one rotated, and those of the new .clock", async () => {
    const [writer, reader] = journals();
    await writer.append({ k: "a", s: "s1", t: 1 });
    reader.refresh();
    expect(reader.latest("a", "s1")).toBe(1);
    reader.refresh(); // the last look: .clock, no .clock.1
    // A compaction begins: .clock becomes .clock.1, and a record written then starts a new .clock.
    await writer.append({ k: "b", s: "s2", t: 2 });
    writer.rotate();
    writer.close();
    const late = new ClockJournal(path.join(tmp(), "sessions.json"), false);
    await late.append({ k: "c", s: "s3", t: 3 });
    reader.refresh();
    expect([reader.latest("a", "s1"), reader.latest("b", "s2"), reader.latest("c", "s3")]).toEqual([1, 2, 3]);
    late.close();
    reader.close();
  });

  it("a writer does not read its own records back, nor look for .clock.1 while .clock is unchanged", async () => {
    const [writer] = journals();
    await writer.append({ k: "a", s: "s1", t: 1 });
    writer.refresh();
    const opens = vi.spyOn(fs, "openSync");
    const stats = vi.spyOn(fs, "statSync");
    try {
      await writer.append({ k: "a", s: "s1", t: 2 });
      const statsAfterAppend = stats.mock.calls.length;
      writer.refresh();
      expect(writer.latest("a", "s1")).toBe(2);
      expect(opens.mock.calls.filter(([file]) => String(file).endsWith(".clock"))).toEqual([]);
      expect(stats.mock.calls.slice(statsAfterAppend).map(([file]) => path.basename(String(file)))).toEqual(["sessions.json.clock"]);
    } finally {
      vi.restoreAllMocks();
      writer.close();
    }
  });
});

describe("closing a store", () => {
  it("removes an empty .clock.1 left by a locked write that crashed (nothing to fold, and it was left behind)", async () => {
    const file = path.join(tmp(), "sessions.json");
    fs.writeFileSync(file, JSON.stringify({ "agent:main:main": { sessionId: "s1", updatedAt: 1 } }, null, 2));
    fs.writeFileSync(`${file}.clock.1`, ""); // the marker a killed process's locked write leaves
    const store = openSessionStore({ path: file, now: () => 1_000 });
    expect((await store.get("agent:main:main"))?.updatedAt).toBe(1);
    expect(await store.compact()).toBe(false); // nothing was folded
    await store.close();
    expect(fs.existsSync(`${file}.clock.1`)).toBe(false);
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({ "agent:main:main": { sessionId: "s1", updatedAt: 1 } });
  });
});
