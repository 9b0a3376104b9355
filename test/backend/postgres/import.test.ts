/** importFileState: a file state dir into Postgres, ids and lines kept, idempotent and resumable. */
import fs from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { openFileBackend } from "../../../src/backend/file/index.js";
import { exportTranscript, importFileState, openPostgresBackend } from "../../../src/backend/postgres/index.js";
import { usePostgresDatabase } from "../../support/postgres.js";
import { useTempDir } from "../../support.js";

const database = usePostgresDatabase("import");
const tmp = useTempDir("hub-pg-import-");
const A = "agent:main:telegram:dm:1";
const B = "agent:main:telegram:group:g";

it("copies entries, transcripts (other entry types too) and gateways; a re-run copies nothing; new file lines follow", async () => {
  const stateDir = path.join(tmp(), "state");
  const files = openFileBackend({ stateDir, durable: false });
  await files.append(A, "s-a1", [{ role: "user", content: "old session" }]);
  await files.update(A, (d) => d.set(A, { sessionId: "s-a2", updatedAt: 5, previousSessionIds: ["s-a1"], custom: { kept: true } }));
  await files.append(A, "s-a2", [{ role: "user", content: "one", meta: { threadId: 7 } }, { role: "assistant", content: [{ type: "text", text: "two" }], model: "m" }]);
  const fileA = path.join(files.dir, "s-a2.jsonl");
  const last = (await files.read(A)).messages.at(-1)?.id as string;
  await fs.appendFile(fileA, `${JSON.stringify({ type: "model_change", id: "feedface", parentId: last, timestamp: "2026-01-01T00:00:00.000Z", provider: "x", modelId: "y" })}\n`);
  await files.append(A, "s-a2", [{ role: "user", content: "three" }]);
  await files.append(B, "s-b", [{ role: "user", content: "group" }]);
  await files.registerGateway({ gatewayId: "tg", name: "Bot", type: "telegram", config: { token: "t" } });

  const backend = await openPostgresBackend({ connectionString: database(), schema: "imp" });
  try {
    const report = await importFileState(backend, { stateDir });
    expect(report).toEqual({ sessions: { imported: 2, kept: 0 }, lines: { imported: 6, conflicts: 0 }, gateways: { imported: 1 } });
    expect(await backend.get(A)).toEqual(await files.get(A));
    expect((await backend.read(A, { limit: 10 })).messages).toEqual((await files.read(A, { limit: 10 })).messages);
    expect((await backend.read(A, { threadId: 7 })).messages.map((m) => m.content)).toEqual(["one"]);
    const exported = path.join(tmp(), "out.jsonl");
    await exportTranscript(backend, A, exported);
    expect(await fs.readFile(exported, "utf8")).toBe(await fs.readFile(fileA, "utf8"));
    expect(await backend.listGateways()).toEqual(await files.listGateways());

    expect(await importFileState(backend, { stateDir })).toEqual({ sessions: { imported: 0, kept: 2 }, lines: { imported: 0, conflicts: 0 }, gateways: { imported: 0 } });
    await files.append(A, "s-a2", [{ role: "user", content: "four" }]);
    expect((await importFileState(backend, { stateDir })).lines.imported).toBe(1);
    expect((await backend.read(A, { limit: 10 })).messages).toEqual((await files.read(A, { limit: 10 })).messages);
    const [next] = await backend.append(A, "s-a2", [{ role: "user", content: "in postgres" }]);
    expect(next?.parentId).toBe((await files.read(A)).messages.at(-1)?.id);
  } finally {
    await backend.close();
    await files.close();
  }
});

it("a transcript caught while it is being created (its header line not complete) is copied later with the file's own header", async () => {
  const stateDir = path.join(tmp(), "torn");
  const files = openFileBackend({ stateDir, durable: false });
  await files.update(A, (d) => d.set(A, { sessionId: "s-t", updatedAt: 1 }));
  await files.close();
  const file = path.join(stateDir, "agents", "main", "sessions", "s-t.jsonl");
  const header = JSON.stringify({ type: "session", version: 3, id: "s-t", timestamp: "2020-01-01T00:00:00.000Z", cwd: "", sessionKey: A });
  await fs.writeFile(file, header.slice(0, 20));
  const backend = await openPostgresBackend({ connectionString: database(), schema: "imp_torn" });
  try {
    expect((await importFileState(backend, { stateDir })).lines).toEqual({ imported: 0, conflicts: 0 });
    const line = JSON.stringify({ type: "message", id: "m1", parentId: null, timestamp: "2020-01-01T00:00:01.000Z", message: { role: "user", content: "hi", timestamp: 1 } });
    await fs.writeFile(file, `${header}\n${line}\n`);
    expect((await importFileState(backend, { stateDir })).lines).toEqual({ imported: 1, conflicts: 0 });
    const out = path.join(tmp(), "torn-out.jsonl");
    await exportTranscript(backend, A, out);
    expect(await fs.readFile(out, "utf8")).toBe(await fs.readFile(file, "utf8"));
  } finally {
    await backend.close();
  }
});
