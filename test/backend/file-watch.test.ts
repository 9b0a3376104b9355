/**
 * The file backend's change feed against the real world: another process writing (with
 * bursts of atomic renames), torn lines, replaced transcripts, and poll mode.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openFileBackend, type FileBackend } from "../../src/backend/file/index.js";
import { ensureDistBuilt, useTempDir } from "../support.js";
import { runChild } from "./file/helpers.js";
import { lastEntry, messagesOf, startWatching, until } from "./conformance/watch.js";

const tmp = useTempDir("hub-watch-");
const key = "agent:main:telegram:dm:111";

beforeAll(ensureDistBuilt, 120_000);

function open(stateDir: string, extra: Partial<Parameters<typeof openFileBackend>[0]> = {}): FileBackend {
  return openFileBackend({ stateDir, durable: false, onWarning: (w) => { throw new Error(`unexpected warning: ${w.message}`); }, ...extra });
}

describe("file backend: watch", () => {
  it("sees every message and the final state written by another process, hand edits included", async () => {
    const backend = open(tmp());
    await backend.update("agent:main:telegram:dm:k0", (draft) => draft.patch("agent:main:telegram:dm:k0", { sessionId: "s-k0-0" }));
    const watching = await startWatching(backend);
    const child = runChild("../../children/feed-writer.mjs", [tmp(), 4, 16]);
    expect(await child.exited).toBe(0);
    const { appended } = JSON.parse(child.lines.find((line) => line.startsWith("{")) as string) as { appended: Array<{ key: string; sessionId: string; id: string }> };
    const wanted = new Set(appended.map((m) => m.id));
    const seenIds = () => new Set(watching.changes.flatMap((c) => (c.type === "message" ? [c.message.id] : [])));
    await until(() => [...wanted].every((id) => seenIds().has(id)), "every message", watching.changes, 30_000);
    const finalEntries = new Map((await backend.list()).sessions.map((row) => [row.key, row.entry]));
    await until(() => [...finalEntries].every(([k, entry]) => JSON.stringify(lastEntry(watching.changes, k)) === JSON.stringify(entry)), "the final entries", undefined, 30_000);
    // Deleted at the end: reported as null, or never seen at all if it came and went between two looks.
    await until(() => (lastEntry(watching.changes, "agent:main:telegram:dm:temp") ?? null) === null, "the deleted key", watching.changes);
    const messages = watching.changes.flatMap((c) => (c.type === "message" ? [{ key: c.key, sessionId: c.sessionId, id: c.message.id }] : []));
    // Nothing twice; within a conversation, in the order written (conversations interleave freely).
    expect(messages).toHaveLength(appended.length);
    for (const k of new Set(appended.map((m) => m.key))) expect(messages.filter((m) => m.key === k)).toEqual(appended.filter((m) => m.key === k));
    expect(lastEntry(watching.changes, "agent:main:telegram:dm:k0")?.label).toBe("edit 15.4");
    await watching.stop();
    await backend.close();
  });

  it("holds back a torn last line until it is complete; a replaced transcript is read from its start", async () => {
    const backend = open(tmp());
    await backend.append(key, "s-1", [{ role: "user", content: "before" }]);
    const watching = await startWatching(backend, { keys: [key] });
    const file = path.join(backend.dir, "s-1.jsonl");
    const line = JSON.stringify({ type: "message", id: "torn1", parentId: null, timestamp: new Date(0).toISOString(), message: { role: "user", content: "torn", timestamp: 1 } });
    await fs.appendFile(file, line.slice(0, 40));
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // a poll and several checks later
    expect(messagesOf(watching.changes)).toEqual([]);
    await fs.appendFile(file, `${line.slice(40)}\n`);
    await until(() => messagesOf(watching.changes).length === 1, "the completed line", watching.changes);
    expect(messagesOf(watching.changes)).toEqual(["torn"]);
    const replacement = line.replace("torn1", "new1").replace('"torn"', '"replaced"');
    await fs.writeFile(`${file}.new`, `${replacement}\n`);
    await fs.rename(`${file}.new`, file);
    await until(() => messagesOf(watching.changes).length === 2, "the replaced file's message", watching.changes);
    expect(messagesOf(watching.changes)).toEqual(["torn", "replaced"]);
    await watching.stop();
    await backend.close();
  });

  it("in poll mode, sees a hand edit of sessions.json (an atomic rename) without directory events", async () => {
    const backend = open(tmp(), { watchMode: "poll", watchPollMs: 100 });
    await backend.update(key, (draft) => draft.patch(key, { label: "old" }));
    const watching = await startWatching(backend);
    const store = JSON.parse(await fs.readFile(backend.path, "utf8")) as Record<string, Record<string, unknown>>;
    (store[key] as Record<string, unknown>).label = "edited by hand";
    await fs.writeFile(`${backend.path}.edit`, JSON.stringify(store, null, 2));
    await fs.rename(`${backend.path}.edit`, backend.path);
    await until(() => lastEntry(watching.changes, key)?.label === "edited by hand", "the edit", watching.changes);
    await watching.stop();
    await backend.close();
    expect(() => open(tmp(), { watchMode: "inotify" as "poll" })).toThrow('watchMode must be "auto" or "poll"');
  });
});
