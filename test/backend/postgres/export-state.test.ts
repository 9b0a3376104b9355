/**
 * exportStateDir: Postgres out to a file state dir in the file backend's layout. Round trip
 * file -> import -> export: the file backend and a plain JSON.parse of sessions.json see the
 * same sessions and messages; an existing store is refused (E_STORE_EXISTS) unless forced.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { openFileBackend } from "../../../src/backend/file/index.js";
import type { FileBackend } from "../../../src/backend/file/index.js";
import { exportStateDir, importFileState, openPostgresBackend } from "../../../src/backend/postgres/index.js";
import { HubError } from "../../../src/errors.js";
import { usePostgresDatabase } from "../../support/postgres.js";
import { useTempDir } from "../../support.js";

const database = usePostgresDatabase("exportdir");
const tmp = useTempDir("hub-pg-export-dir-");
const A = "agent:main:telegram:dm:1";
const B = "agent:main:telegram:group:g:topic:9";
const C = "agent:main:slack:channel:c1";
const storeOf = (dir: string) => path.join(dir, "agents", "main", "sessions", "sessions.json");

async function everything(files: FileBackend): Promise<unknown> {
  const { sessions } = await files.list();
  const out: Record<string, unknown> = {};
  for (const { key, entry } of sessions) out[key] = { entry, messages: (await files.read(key, { limit: 1000 })).messages };
  return { sessions: out, gateways: await files.listGateways() };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return error instanceof HubError ? error.code : String(error);
  }
  return undefined;
}

it("file -> import -> export gives back the same sessions, messages, transcripts and gateways; a non-empty target is E_STORE_EXISTS unless forced", async () => {
  const source = path.join(tmp(), "source");
  const files = openFileBackend({ stateDir: source, durable: false });
  await files.append(A, "s-a1", [{ role: "user", content: "old session" }]);
  await files.update(A, (d) => d.set(A, { sessionId: "s-a2", updatedAt: 5, previousSessionIds: ["s-a1"], custom: { kept: true } }));
  await files.append(A, "s-a2", [{ role: "user", content: "one", meta: { threadId: 7 } }, { role: "assistant", content: [{ type: "text", text: "two" }], model: "m" }]);
  await files.append(B, "s-b", [{ role: "user", content: "in a topic" }]);
  await files.append(C, "s-c", [{ role: "user", content: "ünïcode \u2028 line" }]);
  await files.registerGateway({ gatewayId: "tg", name: "Bot", type: "telegram", config: { token: "t" } });
  await files.close();

  const backend = await openPostgresBackend({ connectionString: database(), schema: "exp" });
  const target = path.join(tmp(), "target");
  try {
    await importFileState(backend, { stateDir: source });
    const report = await exportStateDir(backend, target);
    expect(report).toEqual({ store: storeOf(target), sessions: 3, transcripts: 4, lines: 5, gateways: 1 });
    // clawdbot's reader: a plain JSON.parse of sessions.json.
    expect(JSON.parse(await fs.readFile(storeOf(target), "utf8"))).toEqual(JSON.parse(await fs.readFile(storeOf(source), "utf8")));
    const names = (await fs.readdir(path.dirname(storeOf(source)))).filter((n) => n.endsWith(".jsonl")).sort();
    expect((await fs.readdir(path.dirname(storeOf(target)))).filter((n) => n.endsWith(".jsonl")).sort()).toEqual(names);
    for (const name of names) {
      expect(await fs.readFile(path.join(path.dirname(storeOf(target)), name), "utf8")).toBe(await fs.readFile(path.join(path.dirname(storeOf(source)), name), "utf8"));
    }
    const before = openFileBackend({ stateDir: source, readOnly: true });
    const after = openFileBackend({ stateDir: target, readOnly: true });
    try {
      expect(await everything(after)).toEqual(await everything(before));
    } finally {
      await before.close();
      await after.close();
    }

    expect(await codeOf(exportStateDir(backend, target))).toBe("E_STORE_EXISTS");
    expect(await codeOf(exportStateDir(backend, source))).toBe("E_STORE_EXISTS");
    await backend.append(A, "s-a2", [{ role: "user", content: "only in postgres" }]);
    expect((await exportStateDir(backend, target, { force: true })).lines).toBe(6);
    const again = openFileBackend({ stateDir: target, readOnly: true });
    try {
      expect((await again.read(A)).messages.at(-1)?.content).toBe("only in postgres");
    } finally {
      await again.close();
    }
  } finally {
    await backend.close();
  }
});

it("an absolute sessionFile (as clawdbot records it) is written into the new dir, and the entry points there", async () => {
  const source = path.join(tmp(), "abs");
  const sessionsDir = path.dirname(storeOf(source));
  const files = openFileBackend({ stateDir: source, durable: false });
  await files.update(A, (d) => d.set(A, { sessionId: "s-x", updatedAt: 1, sessionFile: path.join(sessionsDir, "s-x.jsonl") }));
  await files.append(A, "s-x", [{ role: "user", content: "hi" }]);
  await files.close();
  const backend = await openPostgresBackend({ connectionString: database(), schema: "exp_abs" });
  const target = path.join(tmp(), "abs-target");
  try {
    await importFileState(backend, { stateDir: source });
    await exportStateDir(backend, target);
    const entry = (JSON.parse(await fs.readFile(storeOf(target), "utf8")) as Record<string, { sessionFile: string }>)[A];
    expect(entry?.sessionFile).toBe(path.join(path.dirname(storeOf(target)), "s-x.jsonl"));
    const read = openFileBackend({ stateDir: target, readOnly: true });
    try {
      expect((await read.read(A)).messages.map((m) => m.content)).toEqual(["hi"]);
    } finally {
      await read.close();
    }
  } finally {
    await backend.close();
  }
});
