import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HubError, type HubErrorCode } from "../../../../src/errors.js";
import { openSessionStore, type SessionStore } from "../../../../src/backend/file/store/session-store.js";
import { useTempDir } from "../helpers.js";

const tmp = useTempDir("hub-errors-");

function open(options: Parameters<typeof openSessionStore>[0] = {}): SessionStore {
  return openSessionStore({ path: path.join(tmp(), "sessions.json"), ...options });
}

/** Calls `fn`, which must not throw synchronously, and returns its rejection. */
async function rejectionOf(fn: () => Promise<unknown>): Promise<HubError> {
  let promise: Promise<unknown>;
  try {
    promise = fn();
  } catch (error) {
    throw new Error(`threw synchronously instead of rejecting: ${String(error)}`);
  }
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HubError);
  return error as HubError;
}

function thrownBy(fn: () => unknown): HubError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HubError);
    return error as HubError;
  }
  throw new Error("expected a throw");
}

function expectError(error: HubError, code: HubErrorCode, ...fragments: string[]): void {
  expect(error.code).toBe(code);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
}

describe("invalid keys: E_INVALID_KEY, as a rejection", () => {
  const cases: Array<[string, unknown, string]> = [
    ["empty", "", 'key must be a non-empty string, got ""'],
    ["blank", "   ", 'got "   "'],
    ["a number", 42, "got 42"],
    ["undefined", undefined, "got undefined"],
    ["an object", { key: "x" }, "key must be a non-empty string"],
  ];
  it.each(cases)("%s", async (_name, key, fragment) => {
    const store = open();
    const k = key as string;
    for (const call of [() => store.get(k), () => store.update(k, {}), () => store.update(k, () => null), () => store.touch(k), () => store.delete(k)]) {
      expectError(await rejectionOf(call), "E_INVALID_KEY", fragment);
    }
  });
});

describe("invalid entries and patches", () => {
  it("a sessionId that is no file-name segment: E_INVALID_ENTRY naming sessionId and the value", async () => {
    const error = await rejectionOf(() => open().update("k", { sessionId: "../x" }));
    expectError(error, "E_INVALID_ENTRY", 'entry "k": sessionId must be one file-name segment of 1-255 bytes (no "/", "\\", control characters, not "." or ".."), got "../x"');
  });

  it("updatedAt that is not an epoch-ms number: E_INVALID_ENTRY naming updatedAt", async () => {
    for (const bad of [-1, Number.POSITIVE_INFINITY, "today"]) {
      const error = await rejectionOf(() => open().update("k", { updatedAt: bad as number }));
      expectError(error, "E_INVALID_ENTRY", 'entry "k": updatedAt must be a finite epoch-ms number >= 0');
    }
  });

  it("previousSessionIds that are not session ids: E_INVALID_ENTRY", async () => {
    const error = await rejectionOf(() => open().update("k", { previousSessionIds: ["ok", "../bad"] }));
    expectError(error, "E_INVALID_ENTRY", "previousSessionIds");
  });

  it("removing sessionId: E_INVALID_ENTRY", async () => {
    const store = open();
    await store.update("k", {});
    expectError(await rejectionOf(() => store.update("k", { sessionId: undefined })), "E_INVALID_ENTRY", "sessionId");
  });

  it("a value JSON cannot hold (a bigint): E_INVALID_ENTRY, nothing written", async () => {
    const store = open();
    expectError(await rejectionOf(() => store.update("k", { big: 1n })), "E_INVALID_ENTRY", 'entry "k" is not JSON-serializable');
    expect(await store.list()).toEqual([]);
  });

  it("a patch that is not a plain object: E_INVALID_ARGUMENT naming the patch", async () => {
    const store = open();
    for (const [patch, got] of [
      [["x"], "an array"],
      ["text", '"text"'],
      [new Date(0), "got"],
    ] as const) {
      expectError(await rejectionOf(() => store.update("k", patch as never)), "E_INVALID_ARGUMENT", 'patch for "k" must be a plain object or null', got);
    }
  });

  it("draft.set with a non-object: E_INVALID_ENTRY", async () => {
    const error = await rejectionOf(() => open().mutate((draft) => draft.set("k", "nope" as never)));
    expectError(error, "E_INVALID_ENTRY", 'entry "k" must be a plain object, got "nope"');
  });

  it("touch at a time that is not epoch ms: E_INVALID_ARGUMENT naming `at`", async () => {
    const store = open();
    for (const bad of [Number.NaN, -5, "now"]) {
      expectError(await rejectionOf(() => store.touch("k", bad as number)), "E_INVALID_ARGUMENT", "at must be a finite epoch-ms number >= 0");
    }
  });
});

describe("invalid options: E_INVALID_ARGUMENT from openSessionStore", () => {
  const saved = process.env.HUB_SESSION_CACHE_TTL_MS;
  afterEach(() => {
    if (saved === undefined) delete process.env.HUB_SESSION_CACHE_TTL_MS;
    else process.env.HUB_SESSION_CACHE_TTL_MS = saved;
  });

  it.each([
    [{ cacheTtlMs: -1 }, "cacheTtlMs must be a number of ms >= 0, got -1"],
    [{ cacheTtlMs: Number.NaN }, "cacheTtlMs must be a number of ms >= 0, got NaN"],
    [{ lockTimeoutMs: 0 }, "lockTimeoutMs must be a positive number of ms, got 0"],
    [{ staleMs: -10 }, "staleMs must be a positive number of ms, got -10"],
  ])("%o", (options, message) => {
    expectError(
      thrownBy(() => open(options)),
      "E_INVALID_ARGUMENT",
      message,
    );
  });

  it("an empty path", () => {
    expectError(
      thrownBy(() => openSessionStore({ path: "" })),
      "E_INVALID_ARGUMENT",
      'path must be a non-empty string, got ""',
    );
  });

  it("a bad HUB_SESSION_CACHE_TTL_MS names the variable", () => {
    process.env.HUB_SESSION_CACHE_TTL_MS = "soon";
    expectError(
      thrownBy(() => open()),
      "E_INVALID_ARGUMENT",
      'env HUB_SESSION_CACHE_TTL_MS must be a number of ms >= 0, got "soon"',
    );
  });
});

describe("a closed store: E_STORE_CLOSED, as a rejection", () => {
  it("refuses every call after close", async () => {
    const store = open();
    await store.update("k", {});
    await store.close();
    const calls = [() => store.get("k"), () => store.list(), () => store.update("k", {}), () => store.touch("k"), () => store.delete("k"), () => store.mutate(() => 1)];
    for (const call of calls) expectError(await rejectionOf(call), "E_STORE_CLOSED", "is closed");
  });
});

describe("a readOnly store", () => {
  it("reads, and refuses writes with E_INVALID_ARGUMENT", async () => {
    const writer = open();
    await writer.update("k", { label: "x" });
    const reader = open({ readOnly: true });
    expect((await reader.get("k"))?.label).toBe("x");
    expectError(await rejectionOf(() => reader.update("k", {})), "E_INVALID_ARGUMENT", "readOnly");
  });
});
