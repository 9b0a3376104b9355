/** mirrorOnce / followFileState: one pass makes the database equal to a file state dir; a second pass changes nothing. */
import path from "node:path";
import { expect, it } from "vitest";
import { openFileBackend } from "../../../src/backend/file/index.js";
import { followFileState, mirrorOnce, openPostgresBackend } from "../../../src/backend/postgres/index.js";
import { usePostgresDatabase } from "../../support/postgres.js";
import { errorCodeOf, useTempDir } from "../../support.js";

const database = usePostgresDatabase("follow");
const tmp = useTempDir("hub-pg-follow-");
const A = "agent:main:telegram:dm:1";
const B = "agent:main:telegram:dm:2";
const NONE = { sessions: { imported: 0, updated: 0, removed: 0 }, lines: { imported: 0, conflicts: 0 }, gateways: { imported: 0 } };

it("adds, replaces (a patch, a reset) and deletes entries, appends new lines once, and mirrors gateways", async () => {
  const stateDir = path.join(tmp(), "state");
  const files = openFileBackend({ stateDir, durable: false });
  const reader = openFileBackend({ stateDir, readOnly: true, durable: false, cacheTtlMs: 0 });
  const backend = await openPostgresBackend({ connectionString: database(), schema: "fol" });
  const pass = () => mirrorOnce(backend, reader, stateDir);
  try {
    await files.append(A, "s-a1", [{ role: "user", content: "one" }]);
    await files.append(B, "s-b", [{ role: "user", content: "two" }]);
    expect(await pass()).toEqual({ ...NONE, sessions: { imported: 2, updated: 0, removed: 0 }, lines: { imported: 2, conflicts: 0 } });
    expect(await pass()).toEqual(NONE);

    await files.update(A, (d) => d.patch(A, { label: "renamed" }));
    await files.append(A, "s-a1", [{ role: "assistant", content: "three" }]);
    expect(await pass()).toMatchObject({ sessions: { updated: 1 }, lines: { imported: 1 } });
    expect((await backend.get(A))?.label).toBe("renamed");

    await files.update(A, (d) => d.set(A, { sessionId: "s-a2", updatedAt: Date.now(), previousSessionIds: ["s-a1"] }));
    await files.append(A, "s-a2", [{ role: "user", content: "after reset" }]);
    await files.delete([B]);
    await files.registerGateway({ gatewayId: "tg", name: "Bot", type: "telegram" });
    expect(await pass()).toEqual({ sessions: { imported: 0, updated: 1, removed: 1 }, lines: { imported: 1, conflicts: 0 }, gateways: { imported: 1 } });
    expect(await backend.get(A)).toEqual(await files.get(A));
    expect(await backend.get(B)).toBeUndefined();
    expect((await backend.read(A)).messages.map((m) => m.content)).toEqual(["after reset"]);
    expect(await backend.listGateways()).toEqual(await files.listGateways());
    expect(await pass()).toEqual(NONE);

    const controller = new AbortController();
    const reports: unknown[] = [];
    const following = followFileState(backend, { stateDir, intervalMs: 10, signal: controller.signal, onPass: (r) => (reports.push(r), controller.abort()) });
    await following;
    expect(reports).toEqual([NONE]);
    expect(await errorCodeOf(followFileState(backend, { stateDir, intervalMs: 5 }))).toBe("E_INVALID_ARGUMENT");
  } finally {
    await backend.close();
    await reader.close();
    await files.close();
  }
});
