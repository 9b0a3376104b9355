import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import { ensureDistBuilt, readStoreFile, runChild, useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-concurrency-");
const file = () => path.join(tmp(), "agents", "main", "sessions", "sessions.json");

beforeAll(ensureDistBuilt);

describe("many processes writing one store", () => {
  it("6 processes x 30 rounds: exact counter totals and every distinct key, zero lost updates", async () => {
    const WORKERS = 6;
    const ROUNDS = 30;
    const SHARED = 3;
    const children = Array.from({ length: WORKERS }, (_, w) => runChild("updater.mjs", [file(), w, ROUNDS, SHARED]));
    const exits = await Promise.all(children.map((c) => c.exited));
    expect(exits, children.map((c) => c.stderr()).join("\n")).toEqual(Array.from({ length: WORKERS }, () => 0));
    for (const child of children) expect(child.lines.filter((line) => line.startsWith("warn "))).toEqual([]);

    const data = await readStoreFile(file());
    for (let s = 0; s < SHARED; s++) {
      const counter = data[`shared:${s}`];
      expect(counter?.count).toBe(WORKERS * ROUNDS);
      for (let w = 0; w < WORKERS; w++) expect(counter?.[`by-${w}`]).toBe(ROUNDS);
    }
    const own = Object.keys(data).filter((key) => key.startsWith("worker:"));
    expect(own).toHaveLength(WORKERS * ROUNDS);
    for (let w = 0; w < WORKERS; w++) {
      for (let r = 0; r < ROUNDS; r++) expect(data[`worker:${w}:${r}`]).toMatchObject({ worker: String(w), round: r });
    }
  });
});

describe("a cached copy is never trusted over another writer's change", () => {
  it("two stores on one file in one process, with a long cache TTL, lose nothing of each other's", async () => {
    const a = openSessionStore({ path: file(), cacheTtlMs: 3_600_000 });
    const b = openSessionStore({ path: file(), cacheTtlMs: 3_600_000 });
    const bump = (store: typeof a) => store.update("counter", (current) => ({ count: Number(current?.count ?? 0) + 1 }));
    for (let i = 0; i < 5; i++) {
      await bump(a);
      await bump(b);
      await a.update(`a:${i}`, {});
      await b.update(`b:${i}`, {});
    }
    await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 === 0 ? a : b)));
    const data = await readStoreFile(file());
    expect(data.counter?.count).toBe(30);
    expect(Object.keys(data).filter((key) => key !== "counter")).toHaveLength(10);
    // Lock-free reads are validated by the fingerprint too.
    expect((await a.get("counter"))?.count).toBe(30);
    expect((await b.get("b:4"))).toBeDefined();
    expect((await a.get("b:4"))).toBeDefined();
  });

  it("another process's write is seen by the next get, and kept by the next update", async () => {
    const store = openSessionStore({ path: file(), cacheTtlMs: 3_600_000 });
    await store.update("mine", { label: "first" });
    expect(await store.get("theirs")).toBeUndefined(); // cached now

    const child = runChild("update-once.mjs", [file(), "theirs", JSON.stringify({ label: "from the child" })]);
    expect(await child.exited, child.stderr()).toBe(0);

    expect((await store.get("theirs"))?.label).toBe("from the child");
    await store.update("mine", { label: "second" });
    const data = await readStoreFile(file());
    expect(data.theirs?.label).toBe("from the child");
    expect(data.mine?.label).toBe("second");
  });
});

describe("the cache", () => {
  const saved = process.env.HUB_SESSION_CACHE_TTL_MS;
  afterEach(() => {
    if (saved === undefined) delete process.env.HUB_SESSION_CACHE_TTL_MS;
    else process.env.HUB_SESSION_CACHE_TTL_MS = saved;
  });

  it("serves repeated reads without reading the file again", async () => {
    const store = openSessionStore({ path: file() });
    await store.update("k", {});
    const reads = store.stats.diskReads;
    for (let i = 0; i < 5; i++) await store.get("k");
    await store.list();
    expect(store.stats.diskReads).toBe(reads);
  });

  it("cacheTtlMs: 0 disables it: every read parses the file", async () => {
    const store = openSessionStore({ path: file(), cacheTtlMs: 0 });
    await store.update("k", {});
    const reads = store.stats.diskReads;
    for (let i = 0; i < 5; i++) await store.get("k");
    expect(store.stats.diskReads).toBe(reads + 5);
  });

  it("env HUB_SESSION_CACHE_TTL_MS=0 disables it too", async () => {
    process.env.HUB_SESSION_CACHE_TTL_MS = "0";
    const store = openSessionStore({ path: file() });
    await store.update("k", {});
    const reads = store.stats.diskReads;
    await store.get("k");
    await store.get("k");
    expect(store.stats.diskReads).toBe(reads + 2);
  });

  it("expires after cacheTtlMs", async () => {
    const store = openSessionStore({ path: file(), cacheTtlMs: 1 });
    await store.update("k", {});
    const reads = store.stats.diskReads;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.get("k");
    expect(store.stats.diskReads).toBe(reads + 1);
  });
});
