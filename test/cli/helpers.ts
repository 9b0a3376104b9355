/**
 * Shared plumbing for the CLI tests: `main(argv, io)` with a capturing io and an injected
 * clock, a fresh temp dir per test, seeding stores, snapshots of a directory to prove that a
 * command changed nothing, and the built `dist/` for runs of the real bin.
 */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { main } from "../../src/cli/main.js";

export { REPO_ROOT, FIXTURES_DIR, ensureDistBuilt, exists, useTempDir } from "../support.js";

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

/** A pid that is certainly not running: a child that has exited. */
export async function deadPid(): Promise<number> {
  const child = execFile(process.execPath, ["-e", ""]);
  const pid = child.pid;
  await new Promise((resolve) => child.on("exit", resolve));
  if (pid === undefined) throw new Error("no pid");
  return pid;
}
