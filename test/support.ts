/**
 * Test plumbing shared by every suite: the repository root, a fresh real temp dir per test,
 * the built `dist/` that child processes import (rebuilt only when stale), and small asserts.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach } from "vitest";
import { HubError } from "../src/errors.js";
import { withLock } from "../src/backend/file/lock/lock.js";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const FIXTURES_DIR = path.join(REPO_ROOT, "fixtures");

/** Registers a fresh temp dir for every test of the file; returns a getter for it. */
export function useTempDir(prefix = "hub-test-"): () => string {
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

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
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
