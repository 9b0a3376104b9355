/**
 * Shared test plumbing for the store tests: a fresh real temp dir per test, the built `dist/`
 * that child processes import (rebuilt only when stale), and child processes with their output.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { REPO_ROOT } from "../../support.js";

export { REPO_ROOT, FIXTURES_DIR, ensureDistBuilt, errorCodeOf, exists, useTempDir } from "../../support.js";

export const CHILDREN_DIR = path.join(REPO_ROOT, "test/backend/file/children");

export interface ChildRun {
  child: ChildProcess;
  /** Lines the child has printed to stdout so far. */
  lines: string[];
  stderr: () => string;
  /** Resolves with the exit code (or the signal name) once the child has exited. */
  exited: Promise<number | string>;
  /** Resolves once a stdout line satisfies `test`. */
  waitForLine(test: (line: string) => boolean): Promise<string>;
}

/** Spawns `node test/backend/file/children/<script> ...args`. */
export function runChild(script: string, args: Array<string | number>): ChildRun {
  const child = spawn(process.execPath, [path.join(CHILDREN_DIR, script), ...args.map(String)], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters: Array<{ test: (line: string) => boolean; resolve: (line: string) => void }> = [];
  let partial = "";
  let errText = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.test(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    errText += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on("close", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  return {
    child,
    lines,
    stderr: () => errText,
    exited,
    waitForLine(test) {
      const seen = lines.find(test);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        waiters.push({ test, resolve });
        void exited.then((how) => reject(new Error(`child ${script} exited (${how}) before the line; stderr: ${errText}`)));
      });
    },
  };
}

/** The file's text parsed with plain `JSON.parse` (what clawdbot and any reader does). */
export async function readStoreFile(file: string): Promise<Record<string, Record<string, unknown>>> {
  return JSON.parse(await fs.readFile(file, "utf8")) as Record<string, Record<string, unknown>>;
}

/** Writes a sessions.json (and its directory) as an outside tool would. */
export async function writeStoreFile(file: string, content: string | object): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
}

/** A valid entry for seeding files. */
export function entry(sessionId: string, updatedAt: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { sessionId, updatedAt, ...extra };
}
