/**
 * `readStoreSnapshot`, the one-shot reader behind `hub sessions`: it must list exactly what the
 * file backend's `list()` lists (entries, order, the clock journal folded in), and read only.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openFileBackend } from "../../../../src/backend/file/index.js";
import { readStoreSnapshot } from "../../../../src/backend/file/store/store-snapshot.js";
import type { StoreWarning } from "../../../../src/backend/file/store/session-store.js";
import { errorCodeOf, useTempDir } from "../../../support.js";

const tmp = useTempDir("hub-snapshot-");
const NOW = 1_790_000_000_000;

/** A store with ties, legacy fields, an entry without updatedAt, "__proto__" as a key, and two invalid entries. */
const STORED = `{
  "agent:main:telegram:dm:2": { "sessionId": "s-2", "updatedAt": ${NOW - 5000}, "provider": "telegram", "label": "legacy" },
  "agent:main:telegram:dm:1": { "sessionId": "s-1", "updatedAt": ${NOW - 5000} },
  "__proto__": { "sessionId": "s-proto", "updatedAt": ${NOW - 1000}, "origin": { "__proto__": { "x": 1 } } },
  "agent:main:slack:channel:c1": { "sessionId": "s-3", "updatedAt": ${NOW - 9000} },
  "agent:main:main": { "sessionId": "s-main" },
  "agent:main:bad:dm:1": { "sessionId": "../escape", "updatedAt": ${NOW} },
  "agent:main:deep:dm:1": { "sessionId": "s-deep", "updatedAt": ${NOW}, "nest": ${"[".repeat(70)}${"]".repeat(70)} }
}`;

/** Clock records: one moves s-3 to the top, one is of a session the entry no longer holds. */
const JOURNAL = [
  { k: "agent:main:slack:channel:c1", s: "s-3", t: NOW - 10 },
  { k: "agent:main:telegram:dm:1", s: "s-old", t: NOW },
  { k: "agent:main:slack:channel:c1", s: "s-3", t: NOW - 20 },
];

async function seed(): Promise<string> {
  const file = path.join(tmp(), "sessions.json");
  await fs.writeFile(file, STORED);
  await fs.writeFile(`${file}.clock`, JOURNAL.map((r) => `${JSON.stringify(r)}\n`).join(""));
  return file;
}

describe("readStoreSnapshot", () => {
  it("lists what the file backend lists: same entries, same order (newest, then key), the journal folded in, invalid entries left out with a warning", async () => {
    const file = await seed();
    const warnings: StoreWarning[] = [];
    const snapshot = await readStoreSnapshot({ path: file, onWarning: (w) => warnings.push(w) });
    const backend = openFileBackend({ path: file, stateDir: tmp(), readOnly: true, onWarning: () => {} });
    try {
      const listed = await backend.list();
      expect(snapshot.sessions).toEqual(listed.sessions);
    } finally {
      await backend.close();
    }
    expect(snapshot.path).toBe(file);
    expect(snapshot.agentId).toBe("main");
    expect(snapshot.sessions.map((r) => [r.key, r.entry.updatedAt])).toEqual([
      ["agent:main:slack:channel:c1", NOW - 10],
      ["__proto__", NOW - 1000],
      ["agent:main:telegram:dm:1", NOW - 5000],
      ["agent:main:telegram:dm:2", NOW - 5000],
      ["agent:main:main", 0],
    ]);
    const proto = snapshot.sessions[1]?.entry as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.hasOwn(proto.origin as object, "__proto__")).toBe(true);
    expect(snapshot.sessions[3]?.entry).toMatchObject({ channel: "telegram", label: "legacy" });
    expect(warnings.map((w) => w.code)).toEqual(["E_INVALID_ENTRY"]);
    expect(warnings[0]?.message).toContain("agent:main:bad:dm:1");
    expect(warnings[0]?.message).toContain("agent:main:deep:dm:1");
  });

  it("changes no file: the journal stays unfolded and the legacy fields stay on disk", async () => {
    const file = await seed();
    const before = await fs.readFile(file, "utf8");
    await readStoreSnapshot({ path: file, onWarning: () => {} });
    expect(await fs.readFile(file, "utf8")).toBe(before);
    expect((await fs.readFile(`${file}.clock`, "utf8")).split("\n").filter(Boolean)).toHaveLength(JOURNAL.length);
    expect((await fs.readdir(tmp())).sort()).toEqual(["sessions.json", "sessions.json.clock"]);
  });

  it("a corrupt store is E_CORRUPT_STORE and stays as it is (nothing recovered)", async () => {
    const file = path.join(tmp(), "sessions.json");
    await fs.writeFile(file, '{ "agent:main:main": { "sessionId": "s", ');
    expect(await errorCodeOf(readStoreSnapshot({ path: file, onWarning: () => {} }))).toBe("E_CORRUPT_STORE");
    expect(await fs.readdir(tmp())).toEqual(["sessions.json"]);
  });

  it("a store over maxStoreBytes is E_STORE_TOO_LARGE before it is read; a missing one lists nothing", async () => {
    const file = await seed();
    expect(await errorCodeOf(readStoreSnapshot({ path: file, maxStoreBytes: 100, onWarning: () => {} }))).toBe("E_STORE_TOO_LARGE");
    const missing = await readStoreSnapshot({ path: path.join(tmp(), "none", "sessions.json"), onWarning: () => {} });
    expect(missing.sessions).toEqual([]);
  });

  it("hands out the entries it parsed: a caller's change to one is not seen by the next snapshot", async () => {
    const file = await seed();
    const first = await readStoreSnapshot({ path: file, onWarning: () => {} });
    (first.sessions[0]?.entry as Record<string, unknown>).label = "changed by the caller";
    const second = await readStoreSnapshot({ path: file, onWarning: () => {} });
    expect(second.sessions[0]?.entry.label).toBeUndefined();
  });
});
