/**
 * Shared plumbing for the CLI tests: `main(argv, io)` with a capturing io and an injected
 * clock, a fresh temp dir per test, seeding stores, snapshots of a directory to prove that a
 * command changed nothing, and the built `dist/` for runs of the real bin.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach } from "vitest";
import { main } from "../../src/cli/main.js";
import { withLock } from "../../src/store/lock.js";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const FIXTURES_DIR = path.join(REPO_ROOT, "fixtures");

/** The test clock: 2026-11-20T12:00:00Z. */
export const NOW = Date.parse("2026-11-20T12:00:00Z");
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process; the environment is empty unless given (no HUB_STATE_DIR leaks in). */
export async function hub(argv: string[], options: { now?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: options.env ?? {},
    now: () => options.now ?? NOW,
    progress: false,
  });
  return { code, stdout, stderr };
}

/** Registers a fresh temp dir for every test of the file; returns a getter for it. */
export function useTempDir(prefix = "hub-cli-"): () => string {
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

/** The default store path of a state dir. */
export function storeOf(stateDir: string, agentId = "main"): string {
  return path.join(stateDir, "agents", agentId, "sessions", "sessions.json");
}

export async function writeJson(file: string, content: unknown): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
}

/** A transcript file with a header and one message per text. */
export async function writeTranscript(file: string, sessionId: string, texts: string[]): Promise<void> {
  const lines = [JSON.stringify({ type: "session", version: 3, id: sessionId, timestamp: new Date(NOW).toISOString(), cwd: "" })];
  let parentId: string | null = null;
  texts.forEach((text, i) => {
    const id = `m${i}`;
    const role = i % 2 === 0 ? "user" : "assistant";
    lines.push(JSON.stringify({ type: "message", id, parentId, timestamp: new Date(NOW + i * 1000).toISOString(), message: { role, content: text, timestamp: NOW + i * 1000 } }));
    parentId = id;
  });
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `${lines.join("\n")}\n`);
}

export interface FileState {
  bytes: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

/** Every file under `dir` (recursively) with its bytes, size, mtime and inode. */
export async function snapshot(dir: string): Promise<Record<string, FileState | "dir">> {
  const result: Record<string, FileState | "dir"> = {};
  const walk = async (sub: string) => {
    let names: string[];
    try {
      names = await fs.readdir(path.join(dir, sub));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    for (const name of names.sort()) {
      const rel = path.join(sub, name);
      const stat = await fs.lstat(path.join(dir, rel));
      if (stat.isDirectory()) {
        result[rel] = "dir";
        await walk(rel);
      } else {
        result[rel] = { bytes: (await fs.readFile(path.join(dir, rel))).toString("base64"), size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino };
      }
    }
  };
  await walk("");
  return result;
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

/** A pid that is certainly not running: a child that has exited. */
export async function deadPid(): Promise<number> {
  const child = execFile(process.execPath, ["-e", ""]);
  const pid = child.pid;
  await new Promise((resolve) => child.on("exit", resolve));
  if (pid === undefined) throw new Error("no pid");
  return pid;
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return sourcesUnder(full);
    return d.name.endsWith(".ts") ? [full] : [];
  });
}

function distIsStale(): boolean {
  const src = path.join(REPO_ROOT, "src");
  for (const source of sourcesUnder(src)) {
    const built = path.join(REPO_ROOT, "dist", path.relative(src, source)).replace(/\.ts$/, ".js");
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(source).mtimeMs) return true;
  }
  return false;
}

/**
 * Builds `dist/` when any source is newer than its built file (`npm test` has built it
 * already). Under the same cross-process lock as the store tests' build, so parallel test
 * files never run two builds into one `dist/`.
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
