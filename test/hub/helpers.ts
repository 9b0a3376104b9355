/**
 * Shared plumbing for the hub tests: a fresh real temp dir per test, an injected clock, a hub
 * opened on the temp dir (closed after the test), and readers for the files it writes.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach } from "vitest";
import { createHub, type Hub, type HubOptions } from "../../src/hub.js";
import type { ReceiveResult } from "../../src/hub.js";

export interface Clock {
  /** The current time (epoch ms); tests move it. */
  at: number;
  now: () => number;
  advance(ms: number): number;
}

export function makeClock(iso: string): Clock {
  const clock: Clock = {
    at: Date.parse(iso),
    now: () => clock.at,
    advance: (ms) => (clock.at += ms),
  };
  return clock;
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY_MS = 24 * HOUR;

export interface HubFixture {
  /** The state dir of this test. */
  dir: () => string;
  clock: () => Clock;
  /** Opens a hub on this test's state dir with this test's clock (closed after the test). */
  open<TChannel extends string = string>(options?: HubOptions): Promise<Hub<TChannel>>;
}

/** A temp state dir and a clock starting at `start` for every test of the file. */
export function useHub(start = "2026-11-20T09:00:00Z"): HubFixture {
  let dir: string | undefined;
  let clock: Clock | undefined;
  let opened: Array<Hub<string>> = [];
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-facade-"));
    clock = makeClock(start);
  });
  afterEach(async () => {
    for (const hub of opened) await hub.close();
    opened = [];
    if (dir !== undefined) await fs.rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("useHub: no test is running");
    return value;
  };
  return {
    dir: () => need(dir),
    clock: () => need(clock),
    async open<TChannel extends string = string>(options: HubOptions = {}) {
      const hub = await createHub<TChannel>({ stateDir: need(dir), now: need(clock).now, durable: false, ...options });
      opened.push(hub as unknown as Hub<string>);
      return hub;
    },
  };
}

/** The receive result of a message that was not a duplicate (fails the test otherwise). */
export function processed(result: ReceiveResult): Extract<ReceiveResult, { duplicate: false }> {
  if (result.duplicate) throw new Error("expected a processed message, got a duplicate");
  return result;
}

export function sessionsDir(stateDir: string, agentId = "main"): string {
  return path.join(stateDir, "agents", agentId, "sessions");
}

/** sessions.json as it is on disk. */
export async function readStoreFile(stateDir: string, agentId = "main"): Promise<Record<string, Record<string, unknown>>> {
  return JSON.parse(await fs.readFile(path.join(sessionsDir(stateDir, agentId), "sessions.json"), "utf8")) as Record<string, Record<string, unknown>>;
}

export interface TranscriptLine {
  type: string;
  id?: string;
  parentId?: string | null;
  message?: { role: string; content: unknown; timestamp: number };
  meta?: Record<string, unknown>;
  [field: string]: unknown;
}

/** The lines of a transcript file, parsed. */
export async function readTranscript(file: string): Promise<TranscriptLine[]> {
  const text = await fs.readFile(file, "utf8");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as TranscriptLine);
}

/** The message lines of the transcript of `sessionId`. */
export async function transcriptMessages(stateDir: string, sessionId: string): Promise<TranscriptLine[]> {
  const lines = await readTranscript(path.join(sessionsDir(stateDir), `${sessionId}.jsonl`));
  return lines.filter((line) => line.type === "message");
}

export { exists } from "../support.js";
