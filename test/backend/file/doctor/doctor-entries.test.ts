import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { diagnose, repair } from "../../../../src/backend/file/doctor/doctor.js";
import { headerLine } from "../../../../src/backend/shared/transcript-format.js";
import { openTestStore } from "../fixtures-transcripts.js";
import { useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-doctor-entries-");
const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const KEY = "agent:main:telegram:dm:111";

describe("doctor: entries and the files they name", () => {
  it("never calls a transcript orphaned when its header names a live session key (reset more than 20 times)", async () => {
    const store = openTestStore(tmp());
    const previous = Array.from({ length: 20 }, (_, i) => `s${21 - i}`); // s21..s2: s1 fell off
    await store.update(KEY, { sessionId: "s22", updatedAt: 1, previousSessionIds: previous });
    await fs.writeFile(path.join(store.dir, "s1.jsonl"), `${headerLine("s1", KEY, 1)}\n`);
    await fs.writeFile(path.join(store.dir, "gone.jsonl"), `${headerLine("gone", "agent:main:telegram:dm:222", 1)}\n`);
    await fs.writeFile(path.join(store.dir, "noheader.jsonl"), "garbage\n");
    const findings = await diagnose(store, { now: NOW });
    const orphans = findings.filter((f) => f.kind === "orphaned-transcript").map((f) => path.basename(f.subject));
    expect(orphans.sort()).toEqual(["gone.jsonl", "noheader.jsonl"]);
    await repair(store, findings, NOW);
    expect(await fs.readFile(path.join(store.dir, "s1.jsonl"), "utf8")).toBe(`${headerLine("s1", KEY, 1)}\n`);
  });

  it.each(["sessions.json", "sessions.json.bak", "dedupe", "../x.jsonl"])("reports an entry whose sessionFile is %s", async (sessionFile) => {
    const store = openTestStore(tmp());
    await store.update(KEY, { sessionId: "s1", updatedAt: 1, sessionFile });
    const findings = await diagnose(store, { now: NOW });
    expect(findings.filter((f) => f.kind === "unsafe-session-file").map((f) => [f.subject, f.severity])).toEqual([[KEY, "error"]]);
  });
});
