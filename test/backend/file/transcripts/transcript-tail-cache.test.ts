/**
 * The tail an append remembers (transcript-append.ts): the next append of the same process
 * skips reading the tail only while the file is exactly as it left it.
 */
import fs from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { appendMessage } from "../../../../src/backend/file/transcripts/transcript-append.js";
import { openTestStore, readJsonLines, transcriptOf } from "../fixtures-transcripts.js";
import { useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-tail-");
const KEY = "agent:main:telegram:dm:7";

function line(id: string, parentId: string | null): string {
  return `${JSON.stringify({ type: "message", id, parentId, timestamp: "1970-01-01T00:00:01.000Z", message: { role: "user", content: "by hand", timestamp: 1_000 } })}\n`;
}

describe("the remembered tail", () => {
  it("a line appended by someone else between two appends is the next parent", async () => {
    const store = openTestStore(tmp());
    const first = await appendMessage(store, KEY, { role: "user", content: "one" });
    await fs.appendFile(await transcriptOf(store, KEY), line("feedfeedfeedfeed", first.id));
    const next = await appendMessage(store, KEY, { role: "user", content: "two" });
    expect(next.parentId).toBe("feedfeedfeedfeed");
    await store.close();
  });

  it("a file rewritten in place to the same size is read again (its last id changed)", async () => {
    const store = openTestStore(tmp());
    await appendMessage(store, KEY, { role: "user", content: "one" });
    const file = await transcriptOf(store, KEY);
    const lines = (await fs.readFile(file, "utf8")).split("\n");
    const last = lines[1] as string;
    const forged = last.replace(/"id":"[0-9a-f]{16}"/, '"id":"0123456789abcdef"');
    expect(forged.length).toBe(last.length);
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later mtime even on coarse clocks
    await fs.writeFile(file, `${lines[0]}\n${forged}\n`);
    const next = await appendMessage(store, KEY, { role: "user", content: "two" });
    expect(next.parentId).toBe("0123456789abcdef");
    const chain = (await readJsonLines(file)).slice(1);
    expect(chain.map((l) => l.parentId)).toEqual([null, "0123456789abcdef"]);
    await store.close();
  });
});
