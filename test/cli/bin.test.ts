/**
 * The real built bin (`node dist/cli/bin.js`) as a child process: exit codes reach the shell,
 * output goes to the right stream, and it works on a clawdbot store passed with --store.
 */
import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FIXTURES_DIR, REPO_ROOT, ensureDistBuilt, snapshot, storeOf, useTempDir, writeJson } from "./helpers.js";

const tmp = useTempDir();
const BIN = path.join(REPO_ROOT, "dist", "cli", "bin.js");

beforeAll(ensureDistBuilt, 120_000);

interface BinRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bin with a clean environment (HUB_STATE_DIR only when given). */
function runBin(args: string[], env: Record<string, string> = {}): Promise<BinRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: tmp(), env: { PATH: process.env.PATH ?? "", ...env } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

describe("node dist/cli/bin.js", () => {
  it("starts with a shebang so npm can link it as `hub`", () => {
    expect(readFileSync(BIN, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("--version exits 0 with the package version", async () => {
    const version = (JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
    expect(await runBin(["--version"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("sessions --json on a clawdbot store passed with --store, without changing it", async () => {
    const store = path.join(tmp(), "sessions.json");
    await fs.copyFile(path.join(FIXTURES_DIR, "clawdbot-sessions.json"), store);
    const before = await snapshot(tmp());
    const r = await runBin(["sessions", "--json", "--store", store]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const payload = JSON.parse(r.stdout) as { path: string; count: number; sessions: Array<{ key: string }> };
    expect(payload).toMatchObject({ path: store, count: 6 });
    expect(payload.sessions[0]?.key).toBe("agent:main:main");
    expect(await snapshot(tmp())).toEqual(before);
  });

  it("a listing larger than the pipe reaches a reader that starts late, whole, before the bin exits", async () => {
    const store = path.join(tmp(), "sessions.json");
    const entries = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`agent:main:telegram:dm:${i}`, { sessionId: `s-${i}`, updatedAt: 1_790_000_000_000 - i, label: `User ${i}` }]));
    await writeJson(store, entries);
    const child = spawn(process.execPath, [BIN, "sessions", "--json", "--all", "--store", store], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pause(); // the bin fills the pipe (~64 KB) and has to wait for this reader
    const chunks: Buffer[] = [];
    let exited = false;
    child.on("exit", () => (exited = true));
    const code = new Promise<number | null>((resolve) => child.on("close", resolve)); // after stdout's end
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(exited).toBe(false);
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stdout.resume();
    expect(await code).toBe(0);
    const payload = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { count: number; sessions: Array<{ key: string }> };
    expect(payload.count).toBe(3000);
    expect(payload.sessions.at(-1)?.key).toBe("agent:main:telegram:dm:2999");
  });

  it("an unknown command exits 1 with the usage on stderr", async () => {
    const r = await runBin(["frobnicate"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^hub: unknown command "frobnicate"\n\nUsage: hub <command>/);
  });

  it("a corrupt store exits 2 with one stderr line; HUB_STATE_DIR picks the state dir", async () => {
    await writeJson(storeOf(tmp()), "{ not json");
    const r = await runBin(["status"], { HUB_STATE_DIR: tmp() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^hub status: .*sessions\.json is not valid JSON .*\(run "hub doctor --fix" to recover it\) \[E_CORRUPT_STORE\]\n$/);
  });

  // A real pipe to a reader that leaves early: `hub sessions | head -n 1`, far more output than a pipe buffer holds.
  it.each(["head -n 1", "true"])("hub sessions | %s exits 0 without a word on stderr (EPIPE)", async (reader) => {
    const store = path.join(tmp(), "sessions.json");
    const entries: Record<string, unknown> = {};
    for (let i = 0; i < 3000; i++) entries[`agent:main:telegram:dm:${1_000_000 + i}`] = { sessionId: `s-${i}`, updatedAt: 1_700_000_000_000 + i, displayName: `user number ${i}` };
    await writeJson(store, entries);
    const errFile = path.join(tmp(), "stderr.txt");
    const script = `set -o pipefail; "$0" "$1" sessions --store "$2" 2>"$3" | ${reader} >/dev/null; echo "\${PIPESTATUS[0]}"`;
    const status = await new Promise<string>((resolve, reject) => {
      execFile("bash", ["-c", script, process.execPath, BIN, store, errFile], { cwd: tmp() }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
    });
    expect({ status: status.trim(), stderr: await fs.readFile(errFile, "utf8") }).toEqual({ status: "0", stderr: "" });
  });

  it("sessions delete through the bin archives the transcript", async () => {
    const store = storeOf(tmp());
    await writeJson(store, { "agent:main:dm:bob": { sessionId: "s-bob", updatedAt: 1 } });
    await fs.writeFile(path.join(path.dirname(store), "s-bob.jsonl"), "");
    const r = await runBin(["sessions", "delete", "agent:main:dm:bob", "--state-dir", tmp()]);
    expect(r).toEqual({ code: 0, stdout: "deleted agent:main:dm:bob (archived 1 transcript)\n", stderr: "" });
    expect(JSON.parse(await fs.readFile(store, "utf8"))).toEqual({});
  });
});
