import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { deleteSessions } from "../../../../src/lifecycle/delete-sessions.js";
import { diagnose } from "../../../../src/backend/file/doctor/doctor.js";
import { fileTimestamp } from "../../../../src/backend/file/store/paths.js";
import { openSessionStore, type StoreWarning } from "../../../../src/backend/file/store/session-store.js";
import { appendMessage } from "../../../../src/backend/file/transcripts/transcript-append.js";
import { readJsonLines } from "../fixtures-transcripts.js";
import { useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-foreign-");
const NOW = Date.UTC(2026, 10, 21, 10, 37, 0, 123);
const IMESSAGE_KEY = "agent:main:imessage:direct:+17189153805";
/** An entry as openclaw keeps it: no updatedAt, a session id with `:` and `+`. */
const OPENCLAW_ENTRY = { sessionId: "imessage:direct:+17189153805", channel: "imessage", chatType: "direct", sessionFile: "imessage:direct:+17189153805.jsonl" };

async function setup(content: string) {
  const dir = path.join(tmp(), "sessions");
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, "sessions.json");
  await fs.writeFile(file, content);
  const warnings: StoreWarning[] = [];
  const store = openSessionStore({ path: file, durable: false, cacheTtlMs: 0, now: () => NOW, onWarning: (w) => warnings.push(w) });
  return { file, store, warnings };
}

function nested(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
}

describe("foreign entries (openclaw)", () => {
  it("lists an entry without updatedAt (as 0) whose id has ':' and '+', and keeps its bytes on other writes", async () => {
    const original = JSON.stringify({ [IMESSAGE_KEY]: OPENCLAW_ENTRY }, null, 2);
    const { file, store, warnings } = await setup(original);
    expect(await store.get(IMESSAGE_KEY)).toEqual({ ...OPENCLAW_ENTRY, updatedAt: 0 });
    expect((await store.list()).map((r) => r.key)).toEqual([IMESSAGE_KEY]);
    await store.update("agent:main:main", { label: "x" });
    const text = await fs.readFile(file, "utf8");
    expect(text.startsWith(original.slice(0, -2))).toBe(true); // the foreign member is unchanged
    expect(warnings).toEqual([]);
  });

  it("appends the next message to the same session: id, channel and transcript kept", async () => {
    const { store } = await setup(JSON.stringify({ [IMESSAGE_KEY]: OPENCLAW_ENTRY }, null, 2));
    await appendMessage(store, IMESSAGE_KEY, { role: "user", content: "hi", timestamp: NOW });
    const entry = await store.get(IMESSAGE_KEY);
    expect(entry).toMatchObject({ ...OPENCLAW_ENTRY, updatedAt: NOW });
    const lines = await readJsonLines(path.join(store.dir, "imessage:direct:+17189153805.jsonl"));
    expect(lines.map((l) => l.type)).toEqual(["session", "message"]);
  });
});

describe("invalid entries", () => {
  it("saves an invalid entry's bytes to sessions.json.invalid.<time> and warns before a write replaces it", async () => {
    const bad = '{\n    "sessionId": "../../etc/passwd",\n    "channel": "telegram"\n  }';
    const { file, store, warnings } = await setup(`{\n  "k": ${bad}\n}`);
    expect(await store.get("k")).toBeUndefined();
    const created = await store.update("k", { label: "new" });
    expect(created.sessionId).not.toBe("../../etc/passwd");
    const aside = `${file}.invalid.${fileTimestamp(NOW)}`;
    expect(await fs.readFile(aside, "utf8")).toBe(`{\n  "k": ${bad}\n}`);
    expect(warnings.at(-1)).toMatchObject({ code: "E_INVALID_ENTRY", file: aside });
    const report = await diagnose(store, { now: NOW });
    expect(report.filter((f) => f.kind === "quarantined-file").map((f) => f.subject)).toEqual([aside]);
  });

  it("an entry nested 100k levels deep is reported, kept byte for byte, never a crash, and deletable", async () => {
    const deep = `{"sessionId":"deep","updatedAt":1,"origin":${nested(100_000)}}`;
    const { file, store, warnings } = await setup(`{\n  "deep": ${deep},\n  "ok": {"sessionId":"ok","updatedAt":2}\n}`);
    expect((await store.list()).map((r) => r.key)).toEqual(["ok"]);
    expect(warnings.map((w) => w.code)).toEqual(["E_INVALID_ENTRY"]);
    await store.update("ok", { label: "written" });
    const text = await fs.readFile(file, "utf8");
    expect(text).toContain(`  "deep": ${deep},\n`);
    expect(JSON.parse(text).ok).toEqual({ sessionId: "ok", updatedAt: 2, label: "written" });
    const report = await diagnose(store, { now: NOW });
    expect(report.filter((f) => f.kind === "invalid-entry").map((f) => [f.subject, f.message])).toEqual([
      ["deep", 'entry "deep" is nested more than 64 levels deep (kept in the file, ignored)'],
    ]);
    expect((await deleteSessions(store, ["deep"])).map((d) => d.key)).toEqual(["deep"]);
    expect(Object.keys(JSON.parse(await fs.readFile(file, "utf8")))).toEqual(["ok"]);
  });

  it("a write over a deep entry keeps its exact bytes aside", async () => {
    const deep = `{"sessionId":"deep","updatedAt":1,"x":[${nested(100_000)}]}`;
    const { file, store } = await setup(`{"deep":${deep}}`);
    await store.update("deep", { label: "fresh" });
    expect(await fs.readFile(`${file}.invalid.${fileTimestamp(NOW)}`, "utf8")).toBe(`{\n  "deep":${deep}\n}`);
    expect((await store.get("deep"))?.label).toBe("fresh");
  });
});
