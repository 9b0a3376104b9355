import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HubError } from "../../../../src/errors.js";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import { readStoreFile, useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-coalesce-");

function setup() {
  const file = path.join(tmp(), "sessions.json");
  return { file, store: openSessionStore({ path: file, now: () => 1_000 }) };
}

const nextImmediate = () => new Promise((resolve) => setImmediate(resolve));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

describe("coalescing", () => {
  it("100 concurrent updates make one write, and each resolves only once its change is on disk", async () => {
    const { store, file } = setup();
    const onDiskAtResolve: boolean[] = [];
    const updates = Array.from({ length: 100 }, (_, i) =>
      store.update(`key:${i}`, { label: `n${i}` }).then((entry) => {
        const data = JSON.parse(readFileSync(file, "utf8")) as Record<string, { label?: string }>;
        onDiskAtResolve.push(data[`key:${i}`]?.label === `n${i}` && entry.label === `n${i}`);
      }),
    );
    await Promise.all(updates);
    expect(store.stats.writes).toBe(1);
    expect(onDiskAtResolve).toEqual(Array.from({ length: 100 }, () => true));
    expect(Object.keys(await readStoreFile(file))).toHaveLength(100);
  });

  it("updates queued while a write is in flight all go into the one next write", async () => {
    const { store, file } = setup();
    const first = store.update("first", {});
    await nextImmediate(); // the first batch has started its read-modify-write
    const later = Array.from({ length: 50 }, (_, i) => store.update("counter", (current) => ({ count: Number(current?.count ?? 0) + 1, i })));
    await Promise.all([first, ...later]);
    expect(store.stats.writes).toBe(2);
    expect((await readStoreFile(file)).counter?.count).toBe(50);
  });

  it("each update in a batch sees the ones queued before it", async () => {
    const { store, file } = setup();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.update("counter", (current) => ({ count: Number(current?.count ?? 0) + 1 }))),
    );
    expect(results.map((entry) => entry?.count)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await readStoreFile(file)).counter?.count).toBe(20);
    expect(store.stats.writes).toBe(1);
  });
});

describe("one caller's failure is its own", () => {
  it("a throwing patch function rejects only its caller; the others resolve and are on disk", async () => {
    const { store, file } = setup();
    const boom = new Error("boom");
    const calls = Array.from({ length: 10 }, (_, i) =>
      store.update(`key:${i}`, () => {
        if (i === 4) throw boom;
        return { label: `n${i}` };
      }),
    );
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes[4]).toEqual({ status: "rejected", reason: boom });
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(9);
    const data = await readStoreFile(file);
    expect(Object.keys(data).sort()).toEqual(["key:0", "key:1", "key:2", "key:3", "key:5", "key:6", "key:7", "key:8", "key:9"]);
    expect(store.stats.writes).toBe(1);
  });

  it("a mutation that throws after changing the draft leaves no trace, even for the next one in its batch", async () => {
    const { store, file } = setup();
    const failing = store.mutate((draft) => {
      draft.set("half", { sessionId: "half", updatedAt: 1 });
      draft.delete("kept");
      throw new Error("changed my mind");
    });
    const seenByNext = store.mutate((draft) => draft.has("half"));
    await expect(failing).rejects.toThrow("changed my mind");
    expect(await seenByNext).toBe(false);
    expect(await store.get("half")).toBeUndefined();
    await store.update("other", {});
    expect(Object.keys(await readStoreFile(file))).toEqual(["other"]);
  });

  it("an invalid patch (E_INVALID_ENTRY, E_INVALID_ARGUMENT) or an async mutate rejects only its caller", async () => {
    const { store, file } = setup();
    const badTime = store.update("bad-time", { updatedAt: Number.NaN });
    const badId = store.update("bad-id", { sessionId: "../escape" });
    const notObject = store.update("not-object", () => ["a"] as never);
    const asyncFn = store.mutate(async () => "late");
    const good = store.update("good", { label: "ok" });
    expect(await rejection(badTime)).toMatchObject({ code: "E_INVALID_ENTRY" });
    expect(await rejection(badId)).toMatchObject({ code: "E_INVALID_ENTRY" });
    expect(await rejection(notObject)).toMatchObject({ code: "E_INVALID_ARGUMENT" });
    expect(await rejection(asyncFn)).toMatchObject({ code: "E_INVALID_ARGUMENT" });
    await expect(good).resolves.toMatchObject({ label: "ok" });
    expect(Object.keys(await readStoreFile(file))).toEqual(["good"]);
  });

  it("when the write itself fails, every caller of that batch rejects with E_IO and the store recovers", async () => {
    const { store, file } = setup();
    await fs.mkdir(file); // sessions.json is a directory: reading it fails
    const outcomes = await Promise.allSettled([store.update("a", {}), store.update("b", {})]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      const reason = (outcome as PromiseRejectedResult).reason as HubError;
      expect(reason).toBeInstanceOf(HubError);
      expect(reason.code).toBe("E_IO");
    }
    await fs.rmdir(file);
    await store.update("c", {});
    expect(Object.keys(await readStoreFile(file))).toEqual(["c"]);
  });
});
