import fs from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { diagnose, repair } from "../../../../src/backend/file/doctor/doctor.js";
import { openTestStore } from "../fixtures-transcripts.js";
import { useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-doctor-journal-");
const LEGACY = "agent:main:telegram:direct:5550001";
const CANONICAL = "agent:main:telegram:dm:5550001";
const T = Date.UTC(2026, 10, 21, 12, 0, 0);

describe("doctor and the clock journal", () => {
  it("sees the folded clock: the dry run names the entry --fix keeps, which the journal made the newest", async () => {
    const writer = openTestStore(tmp());
    await writer.update(CANONICAL, { sessionId: "s-new", updatedAt: T + 3_000 });
    await writer.update(LEGACY, { sessionId: "s-old", updatedAt: T + 1_000 });
    // The legacy spelling's session was active later: recorded in the journal only.
    expect(await writer.touchSession(LEGACY, "s-old", T + 9_000)).toBe(true);
    expect(JSON.parse(await fs.readFile(writer.path, "utf8"))[LEGACY].updatedAt).toBe(T + 1_000);

    const reader = openTestStore(tmp(), { readOnly: true });
    const findings = await diagnose(reader, { now: T + 10_000 });
    expect(findings.filter((f) => f.kind === "legacy-key")).toEqual([
      {
        kind: "legacy-key",
        severity: "warn",
        subject: LEGACY,
        message: `legacy or case-variant key of ${CANONICAL}: --fix migrates it; --fix keeps the newest of the 2 entries: ${LEGACY} (active ${new Date(T + 9_000).toISOString()})`,
        fixable: true,
      },
    ]);

    // And --fix does keep it.
    await repair(writer, findings, T + 10_000);
    expect(await writer.get(CANONICAL)).toMatchObject({ sessionId: "s-old", updatedAt: T + 9_000 });
    expect(await writer.get(LEGACY)).toBeUndefined();
    await writer.close();
  });

  it("one spelling alone: the message says nothing about which is kept", async () => {
    const store = openTestStore(tmp());
    await store.update(LEGACY, { sessionId: "s-old", updatedAt: T });
    const findings = await diagnose(store, { now: T });
    expect(findings.filter((f) => f.kind === "legacy-key").map((f) => f.message)).toEqual([`legacy or case-variant key of ${CANONICAL}: --fix migrates it`]);
    await store.close();
  });
});
