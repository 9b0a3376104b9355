/** exportTranscript: a session out of Postgres as the JSONL file the agent runtime reads. */
import fs from "node:fs/promises";
import path from "node:path";
import { SessionManager } from "@mariozechner/pi-coding-agent";
import { expect, it } from "vitest";
import { exportTranscript, openPostgresBackend } from "../../../src/backend/postgres/index.js";
import { usePostgresDatabase } from "../../support/postgres.js";
import { errorCodeOf, useTempDir } from "../../support.js";

const database = usePostgresDatabase("export");
const tmp = useTempDir("hub-pg-export-");
const KEY = "agent:main:telegram:dm:111";

it("writes the header and every message line; SessionManager.open reads exactly the messages appended", async () => {
  const backend = await openPostgresBackend({ connectionString: database(), schema: "exp" });
  try {
    const inputs = [
      { role: "user" as const, content: "What's on today?", timestamp: 1_000, meta: { channel: "telegram", gatewayMessageId: "77" } },
      { role: "assistant" as const, content: [{ type: "text" as const, text: "Two meetings." }], timestamp: 2_000, provider: "openai", model: "gpt-5", usage: { input: 1, output: 2 }, stopReason: "stop" },
      { role: "user" as const, content: [{ type: "text" as const, text: "Thanks" }, { type: "text" as const, text: "!\u2028 \"quoted\"" }], timestamp: 3_000 },
    ];
    await backend.turn({ key: KEY, decide: () => ({ entry: { sessionId: "s-export", updatedAt: 1 }, value: 0 }), messages: [inputs[0] as (typeof inputs)[number]] });
    await backend.append(KEY, "s-export", inputs.slice(1));
    const file = path.join(tmp(), "s-export.jsonl");
    expect(await exportTranscript(backend, KEY, file)).toBe(3);
    const manager = SessionManager.open(file);
    expect(manager.getSessionId()).toBe("s-export");
    expect(manager.buildSessionContext().messages).toEqual(inputs.map(({ meta: _meta, ...message }) => message));
    const lines = (await fs.readFile(file, "utf8")).split("\n");
    expect(lines).toHaveLength(5);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ type: "session", version: 3, id: "s-export", sessionKey: KEY });
    const stored = (await backend.read(KEY)).messages;
    expect(lines.slice(1, 4).map((line) => JSON.parse(line).id)).toEqual(stored.map((m) => m.id));
    // A second export is byte for byte the first.
    const again = path.join(tmp(), "again.jsonl");
    await exportTranscript(backend, KEY, again);
    expect(await fs.readFile(again, "utf8")).toBe(await fs.readFile(file, "utf8"));
    expect(await errorCodeOf(exportTranscript(backend, "agent:main:absent", file))).toBe("E_NOT_FOUND");
  } finally {
    await backend.close();
  }
});
