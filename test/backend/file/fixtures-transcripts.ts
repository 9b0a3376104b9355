/**
 * Test plumbing shared by the transcript and dedupe tests: a store in a temp dir, the
 * transcript's lines, and child processes started
 * together behind a go-file barrier.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { openSessionStore, type SessionStore, type SessionStoreOptions } from "../../../src/backend/file/store/session-store.js";
import { REPO_ROOT, runChild, type ChildRun } from "./helpers.js";

export const FIXTURE_TRANSCRIPT = path.join(REPO_ROOT, "fixtures/pi-transcript.jsonl");

/** A store whose sessions directory is `<dir>/sessions`; not durable unless asked (fast tests). */
export function openTestStore(dir: string, options: SessionStoreOptions = {}): SessionStore {
  return openSessionStore({ path: path.join(dir, "sessions", "sessions.json"), durable: false, cacheTtlMs: 0, ...options });
}

/** Every non-empty line of a file, parsed; throws on a line that is not JSON. */
export async function readJsonLines(file: string): Promise<Array<Record<string, unknown>>> {
  const text = await fs.readFile(file, "utf8");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The absolute transcript path of a session, from its recorded `sessionFile`. */
export async function transcriptOf(store: SessionStore, key: string): Promise<string> {
  const entry = await store.get(key);
  if (entry?.sessionFile === undefined) throw new Error(`no sessionFile recorded for ${key}`);
  return path.resolve(store.dir, entry.sessionFile);
}

/** Builds `dist/` for the child scripts (also the key modules the transcript code imports). */

/**
 * Starts one child per argument list (`test/backend/file/<script>`), waits until each printed
 * "ready", then creates the go-file they poll, so that they all start working at once.
 * Resolves with the runs once every child exited with code 0.
 */
export async function runTogether(script: string, dir: string, argLists: Array<Array<string | number>>): Promise<ChildRun[]> {
  const go = path.join(dir, `go-${Date.now()}`);
  // runChild resolves scripts in test/backend/file/children; ours live next to this file.
  const runs = argLists.map((args) => runChild(path.join("..", script), [go, ...args]));
  await Promise.all(runs.map((run) => run.waitForLine((line) => line === "ready")));
  await fs.writeFile(go, "");
  const codes = await Promise.all(runs.map((run) => run.exited));
  codes.forEach((code, index) => {
    if (code !== 0) throw new Error(`child ${index} exited with ${code}: ${runs[index]?.stderr()}`);
  });
  return runs;
}
