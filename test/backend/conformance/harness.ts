/** Plumbing of the conformance suite: a fresh backend and a settable clock per test. */
import { afterEach, beforeEach } from "vitest";
import type { Backend } from "../../../src/backend/types.js";
import { HubError } from "../../../src/errors.js";

export interface BackendHandle {
  backend: Backend;
  /** Closes the backend (if still open), any peers, and removes everything they stored. */
  cleanup: () => Promise<void>;
  /**
   * Opens another instance on the same data, as another gateway process or replica would
   * (its own caches, connections, locks). Optional: without it the replica tests are skipped.
   */
  peer?: () => Promise<Backend>;
}

export type MakeBackend = (options: { now: () => number }) => Promise<BackendHandle>;

export const T0 = Date.UTC(2026, 0, 1, 12);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface Fixture {
  backend: Backend;
  peer: (() => Promise<Backend>) | undefined;
  /** The backend's clock (epoch ms); tests set it. */
  clock: { now: number };
}

/** A fresh backend for every test of the enclosing `describe`; returns a getter for it. */
export function useBackend(makeBackend: MakeBackend): () => Fixture {
  let fixture: (Fixture & { cleanup: () => Promise<void> }) | undefined;
  beforeEach(async () => {
    const clock = { now: T0 };
    const handle = await makeBackend({ now: () => clock.now });
    fixture = { backend: handle.backend, peer: handle.peer, clock, cleanup: handle.cleanup };
  });
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });
  return () => {
    if (fixture === undefined) throw new Error("useBackend: no test is running");
    return fixture;
  };
}

/** The `HubError` code a promise rejects with; undefined when it resolves. */
export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return error instanceof HubError ? error.code : `not a HubError: ${String(error)}`;
  }
  return undefined;
}

/** A user message with text `text`. */
export function text(content: string, timestamp?: number, threadId?: string) {
  return {
    role: "user" as const,
    content,
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(threadId === undefined ? {} : { meta: { threadId } }),
  };
}

/** Creates `key` with a known session id and clock. */
export async function seed(backend: Backend, key: string, fields: Record<string, unknown> = {}): Promise<void> {
  await backend.update(key, (draft) => draft.set(key, { sessionId: "s-1", updatedAt: T0, ...fields }));
}
