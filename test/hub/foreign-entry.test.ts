/**
 * A store written by openclaw, as it is: an entry without `updatedAt` whose session id carries
 * `:` and `+` (cases from openclaw's src/config/sessions/paths.test.ts). The next message
 * continues from it instead of writing a blank entry over it.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { processed, readStoreFile, sessionsDir, useHub } from "./helpers.js";

const t = useHub("2026-11-20T09:00:00Z");
const KEY = "agent:main:imessage:dm:+17189153805";
const OLD_ID = "imessage:direct:+17189153805";

describe("an openclaw entry without updatedAt", () => {
  it("is listed, and the next message keeps its routing and links its transcript through previousSessionIds", async () => {
    const dir = sessionsDir(t.dir());
    await fs.mkdir(dir, { recursive: true });
    const foreign = { sessionId: OLD_ID, channel: "imessage", chatType: "direct", lastTo: "+17189153805", sessionFile: `${OLD_ID}.jsonl` };
    await fs.writeFile(path.join(dir, "sessions.json"), JSON.stringify({ [KEY]: foreign }, null, 2));
    const hub = await t.open();
    expect((await hub.store.list()).map((r) => [r.key, r.entry.updatedAt])).toEqual([[KEY, 0]]);
    const r = processed(await hub.receive({ channel: "imessage", chatType: "direct", peerId: "+17189153805", messageId: "m1", text: "hi" }));
    expect(r.sessionKey).toBe(KEY);
    expect(r.resetReason).toBe("daily"); // updatedAt reads as 0: older than today's 04:00
    const stored = (await readStoreFile(t.dir()))[KEY];
    expect(stored).toMatchObject({ channel: "imessage", chatType: "direct", lastTo: "+17189153805" });
    expect(stored?.previousSessionIds).toEqual([OLD_ID]);
    expect((await fs.readdir(dir)).filter((n) => n.includes(".invalid."))).toEqual([]);
  });
});
