import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  archiveFile,
  archiveTimestamp,
  archiveTranscripts,
  cleanLeftovers,
  isTempFileName,
  transcriptFilesOf,
} from "../../../../src/backend/file/transcripts/archive.js";
import { listDirNames } from "../../../../src/backend/file/fs/fs-util.js";
import { fileTimestamp } from "../../../../src/backend/file/store/paths.js";

const NOW = Date.parse("2026-06-01T12:00:00.000Z");
const DAY = 86_400_000;
let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-archive-"));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function put(name: string, mtimeMs?: number, text = name): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, text);
  if (mtimeMs !== undefined) await fs.utimes(file, mtimeMs / 1000, mtimeMs / 1000);
  return file;
}

describe("archiveFile", () => {
  it("renames to <file>.deleted.<timestamp> and keeps the bytes", async () => {
    const file = await put("s1.jsonl", undefined, '{"type":"session"}\n');
    const target = await archiveFile(file, NOW, { dryRun: false });
    expect(target).toBe(`${file}.deleted.2026-06-01T12-00-00-000Z`);
    expect(await fs.readFile(target as string, "utf8")).toBe('{"type":"session"}\n');
    expect(await listDirNames(dir)).toEqual(["s1.jsonl.deleted.2026-06-01T12-00-00-000Z"]);
  });

  it("never overwrites an existing archive", async () => {
    const file = await put("s1.jsonl", undefined, "second");
    await put(`s1.jsonl.deleted.${fileTimestamp(NOW)}`, undefined, "first");
    const target = await archiveFile(file, NOW, { dryRun: false });
    expect(target).toBe(`${file}.deleted.${fileTimestamp(NOW)}-1`);
    expect(await fs.readFile(`${file}.deleted.${fileTimestamp(NOW)}`, "utf8")).toBe("first");
    expect(await fs.readFile(target as string, "utf8")).toBe("second");
  });

  it("returns undefined for a missing file", async () => {
    expect(await archiveFile(path.join(dir, "missing.jsonl"), NOW, { dryRun: false })).toBeUndefined();
  });

  it("a dry run names the target and touches nothing", async () => {
    const file = await put("s1.jsonl");
    expect(await archiveFile(file, NOW, { dryRun: true })).toBe(`${file}.deleted.${fileTimestamp(NOW)}`);
    expect(await listDirNames(dir)).toEqual(["s1.jsonl"]);
  });
});

describe("names", () => {
  it.each([
    ["a.jsonl.deleted.2026-06-01T12-00-00-000Z", Date.parse("2026-06-01T12:00:00.000Z")],
    ["a.jsonl.deleted.2026-06-01T12-00-00-000Z-3", Date.parse("2026-06-01T12:00:00.000Z")],
    ["a.jsonl.deleted.2026-01-10T08-30-15.250Z", Date.parse("2026-01-10T08:30:15.250Z")],
    ["a.jsonl.deleted.1767225600000", 1767225600000],
    ["a.jsonl.deleted.yesterday", undefined],
    ["a.jsonl", undefined],
  ])("archiveTimestamp(%s) = %s", (name, expected) => {
    expect(archiveTimestamp(name)).toBe(expected);
  });

  it.each([
    ["x.tmp", true],
    ["sessions.json.3735928559", true],
    ["sessions.json.bak.4242", true],
    ["sessions.json", false],
    ["sessions.json.bak", false],
    ["sessions.json.lock", false],
    ["sessions.json.corrupt.2026-06-01T12-00-00-000Z", false],
    ["other.json.123", false],
    ["s1.jsonl", false],
  ])("isTempFileName(%s) = %s", (name, expected) => {
    expect(isTempFileName(name, "sessions.json")).toBe(expected);
  });
});

describe("cleanLeftovers", () => {
  const options = { storeFileName: "sessions.json", now: NOW, tempMaxAgeMs: 5 * 60_000, archiveRetentionMs: 30 * DAY, dryRun: false };

  async function setup(): Promise<void> {
    await put("old.tmp", NOW - 6 * 60_000);
    await put("fresh.tmp", NOW - 4 * 60_000);
    await put("sessions.json.123456", NOW - 60 * 60_000);
    await put("sessions.json.bak.77", NOW - 60 * 60_000);
    await put("sessions.json", NOW - DAY);
    await put("keep.jsonl", NOW - 365 * DAY);
    await put(`expired.jsonl.deleted.${fileTimestamp(NOW - 31 * DAY)}`, NOW);
    await put(`recent.jsonl.deleted.${fileTimestamp(NOW - 29 * DAY)}`, NOW - 365 * DAY);
    await put("clawdbot.jsonl.deleted.2020-01-01T00-00-00.000Z", NOW);
    await put("nameless.jsonl.deleted.x", NOW - 40 * DAY);
    await fs.mkdir(path.join(dir, "dir.tmp"));
    await fs.utimes(path.join(dir, "dir.tmp"), 0, 0);
  }

  it("removes temp files older than 5 minutes and archives past retention", async () => {
    await setup();
    const result = await cleanLeftovers(dir, await listDirNames(dir), options);
    expect(result.tempFilesRemoved.map((f) => path.basename(f)).sort()).toEqual(["old.tmp", "sessions.json.123456", "sessions.json.bak.77"]);
    expect(result.archivesRemoved.map((f) => path.basename(f)).sort()).toEqual([
      "clawdbot.jsonl.deleted.2020-01-01T00-00-00.000Z",
      `expired.jsonl.deleted.${fileTimestamp(NOW - 31 * DAY)}`,
      "nameless.jsonl.deleted.x",
    ]);
    expect((await listDirNames(dir)).sort()).toEqual(
      ["dir.tmp", "fresh.tmp", "keep.jsonl", `recent.jsonl.deleted.${fileTimestamp(NOW - 29 * DAY)}`, "sessions.json"].sort(),
    );
  });

  it("a dry run reports the same and removes nothing", async () => {
    await setup();
    const before = (await listDirNames(dir)).sort();
    const dry = await cleanLeftovers(dir, before, { ...options, dryRun: true });
    expect((await listDirNames(dir)).sort()).toEqual(before);
    const real = await cleanLeftovers(dir, before, options);
    expect(dry).toEqual(real);
  });

  it("skips names that vanished since the listing", async () => {
    const result = await cleanLeftovers(dir, ["gone.tmp", "gone.jsonl.deleted.1"], options);
    expect(result).toEqual({ tempFilesRemoved: [], archivesRemoved: [] });
  });
});

describe("listDirNames", () => {
  it("is empty for a missing directory", async () => {
    expect(await listDirNames(path.join(dir, "nope"))).toEqual([]);
  });

  it("surfaces other errors as E_IO", async () => {
    const file = await put("plain-file");
    await expect(listDirNames(file)).rejects.toMatchObject({ code: "E_IO" });
  });
});

describe("transcriptFilesOf and archiveTranscripts", () => {
  const entry = { sessionId: "cur", updatedAt: 0, previousSessionIds: ["prev-1", "prev-2"] };

  it("lists the entry's own, previous and topic transcripts", () => {
    const names = ["cur-topic-5.jsonl", "prev-1-topic-a%3Ab.jsonl", "cur-topic-5.jsonl.deleted.1", "current.jsonl", "cur.jsonl"];
    expect(transcriptFilesOf(dir, entry, names).map((f) => path.relative(dir, f))).toEqual([
      "cur.jsonl",
      "cur-topic-5.jsonl",
      "prev-1.jsonl",
      "prev-1-topic-a%3Ab.jsonl",
      "prev-2.jsonl",
    ]);
  });

  it("uses sessionFile and skips one outside the directory", () => {
    expect(transcriptFilesOf(dir, { ...entry, sessionFile: "custom.jsonl", previousSessionIds: [] }, [])).toEqual([
      path.join(dir, "custom.jsonl"),
      path.join(dir, "cur.jsonl"),
    ]);
    expect(transcriptFilesOf(dir, { ...entry, sessionFile: "../escape.jsonl", previousSessionIds: [] }, [])).toEqual([path.join(dir, "cur.jsonl")]);
  });

  it("archives what exists, except kept files", async () => {
    for (const name of ["cur.jsonl", "cur-topic-5.jsonl", "prev-2.jsonl", "other.jsonl"]) await put(name);
    const archived = await archiveTranscripts(dir, entry, NOW, { keep: new Set([path.join(dir, "prev-2.jsonl")]) });
    expect(archived).toEqual([path.join(dir, `cur.jsonl.deleted.${fileTimestamp(NOW)}`), path.join(dir, `cur-topic-5.jsonl.deleted.${fileTimestamp(NOW)}`)]);
    expect((await listDirNames(dir)).sort()).toEqual(
      [`cur.jsonl.deleted.${fileTimestamp(NOW)}`, `cur-topic-5.jsonl.deleted.${fileTimestamp(NOW)}`, "other.jsonl", "prev-2.jsonl"].sort(),
    );
  });
});
