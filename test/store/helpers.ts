/**
 * Shared test plumbing for the store tests: a fresh real temp dir per test, the built `dist/`
 * that child processes import (rebuilt only when stale), and child processes with their output.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach } from "vitest";
import { HubError } from "../../src/errors.js";
import { withLock } from "../../src/store/lock.js";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CHILDREN_DIR = path.join(REPO_ROOT, "test/store/children");
export const FIXTURES_DIR = path.join(REPO_ROOT, "fixtures");

/** Registers a fresh temp dir for every test of the file; returns a getter for it. */
export function useTempDir(prefix = "hub-store-"): () => string {
  let dir: string | undefined;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterEach(async () => {
    if (dir !== undefined) await fs.rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return () => {
    if (dir === undefined) throw new Error("useTempDir: no test is running");
    return dir;
  };
}

/** Every source file whose built form child scripts may import. */
function sources(): string[] {
  const root = path.join(REPO_ROOT, "src");
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(root, f));
}

function distIsStale(): boolean {
  for (const source of sources()) {
    const built = path.join(REPO_ROOT, "dist", path.relative(path.join(REPO_ROOT, "src"), source)).replace(/\.ts$/, ".js");
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(source).mtimeMs) return true;
  }
  return false;
}

/**
 * Builds `dist/` when a store source is newer than its built file. Test files run in parallel,
 * so the build runs under the store's own cross-process lock.
 */
export async function ensureDistBuilt(): Promise<void> {
  if (!distIsStale()) return;
  const lockTarget = path.join(os.tmpdir(), `session-hub-build-${Buffer.from(REPO_ROOT).toString("hex").slice(-32)}`);
  await withLock(lockTarget, { timeoutMs: 120_000, staleMs: 120_000 }, async () => {
    if (!distIsStale()) return;
    const tsc = path.join(REPO_ROOT, "node_modules/.bin/tsc");
    // Type errors in files being edited elsewhere do not stop tsc from emitting.
    await promisify(execFile)(tsc, ["-p", "tsconfig.build.json"], { cwd: REPO_ROOT }).catch((error: { stdout?: string }) => {
      if (distIsStale()) throw new Error(`building dist/ failed:\n${error.stdout ?? String(error)}`);
    });
  });
}

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

/** Spawns `node test/store/children/<script> ...args`. */
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

/** The `HubError` code a promise rejects with; undefined when it resolves. */
export async function errorCodeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return error instanceof HubError ? error.code : `not a HubError: ${String(error)}`;
  }
  return undefined;
}
