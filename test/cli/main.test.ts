/**
 * What every `hub` command shares: help, version, usage errors (exit 1, usage on stderr),
 * runtime failures (exit 2, one stderr line), and read-only commands that never change a file.
 */
import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR, NOW, REPO_ROOT, hub, snapshot, storeOf, useTempDir, writeJson, writeTranscript } from "./helpers.js";

const tmp = useTempDir();

const COMMANDS = ["sessions", "transcript", "status", "doctor", "prune"] as const;
const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

describe("help and version", () => {
  it.each([[[]], [["--help"]], [["-h"]], [["help"]]])("hub %j prints the usage listing every command", async (argv) => {
    const r = await hub(argv);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.startsWith("Usage: hub <command> [options]\n")).toBe(true);
    for (const name of COMMANDS) expect(r.stdout).toMatch(new RegExp(`\\n  ${name} +\\S`));
    expect(r.stdout).toContain("Exit codes: 0 success, 1 usage error, 2 runtime failure.");
  });

  it.each(COMMANDS.map((name) => [name]))("hub %s --help prints that command's usage and touches nothing", async (name) => {
    for (const flag of ["--help", "-h"]) {
      const r = await hub([name, flag, "--state-dir", tmp()]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toMatch(new RegExp(`^Usage:\\s+hub ${name}`));
    }
    expect(await fs.readdir(tmp())).toEqual([]);
  });

  it("--help wins over a usage error elsewhere in the line", async () => {
    const r = await hub(["sessions", "--active", "0", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage:/);
  });

  it.each([["--version"], ["-v"]])("hub %s prints the package version", async (flag) => {
    expect(await hub([flag])).toEqual({ code: 0, stderr: "", stdout: `${VERSION}\n` });
  });
});

describe("usage errors: exit 1, the problem and the usage on stderr", () => {
  it("an unknown command", async () => {
    const r = await hub(["sesions"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^hub: unknown command "sesions" \(did you mean "sessions"\?\)\n\nUsage: hub <command> \[options\]\n/);
  });

  it.each(COMMANDS.map((name) => [name]))("an unknown option of hub %s", async (name) => {
    const r = await hub([name, "--frobnicate", "--state-dir", tmp()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")[0]).toBe(`hub ${name}: unknown option --frobnicate`);
    expect(r.stderr).toMatch(new RegExp(`\\n\\nUsage:\\s+hub ${name}`));
    expect(await fs.readdir(tmp())).toEqual([]);
  });

  it("a string option without its value, a boolean option with one", async () => {
    expect((await hub(["status", "--store"])).code).toBe(1);
    const r = await hub(["doctor", "--fix=yes"]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toMatch(/^hub doctor: Option '--fix' does not take an argument/);
  });

  it.each([["status"], ["doctor"], ["prune"]])("hub %s with a stray argument (hub prune dry-run) is refused, not run", async (name) => {
    await writeJson(storeOf(tmp()), { "agent:main:dm:old": { sessionId: "s-old", updatedAt: NOW - 400 * 86_400_000 } });
    const before = await snapshot(tmp());
    const r = await hub([name, "dry-run", "--state-dir", tmp()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")[0]).toBe(`hub ${name}: ${name} takes no arguments, got "dry-run"`);
    expect(await snapshot(tmp())).toEqual(before);
  });
});

/** A store with sessions, transcripts, a legacy key, an orphan and an old temp file. */
async function seedStore(): Promise<string> {
  const store = storeOf(tmp());
  const dir = path.dirname(store);
  await writeJson(store, {
    "agent:main:main": { sessionId: "s-main", updatedAt: NOW - 60_000 },
    "agent:main:telegram:direct:5550001": { sessionId: "s-legacy", updatedAt: NOW - 40 * 86_400_000 },
  });
  await writeTranscript(path.join(dir, "s-main.jsonl"), "s-main", ["hi", "hello"]);
  await writeTranscript(path.join(dir, "orphan.jsonl"), "orphan", ["x"]);
  await fs.writeFile(path.join(dir, "old.tmp"), "");
  await fs.utimes(path.join(dir, "old.tmp"), new Date(NOW - 86_400_000), new Date(NOW - 86_400_000));
  return store;
}

const READ_ONLY: Array<[string, string[]]> = [
  ["sessions", ["sessions"]],
  ["sessions --json --active 5", ["sessions", "--json", "--active", "5"]],
  ["sessions show", ["sessions", "show", "agent:main:main"]],
  ["sessions delete --dry-run", ["sessions", "delete", "agent:main:main", "agent:main:telegram:direct:5550001", "--dry-run"]],
  ["transcript", ["transcript", "agent:main:main", "--limit", "1"]],
  ["transcript --json", ["transcript", "agent:main:main", "--json"]],
  ["status", ["status"]],
  ["status --json", ["status", "--json"]],
  ["doctor", ["doctor"]],
  ["doctor --json", ["doctor", "--json"]],
  ["prune --dry-run", ["prune", "--dry-run"]],
  ["prune --dry-run --json", ["prune", "--dry-run", "--json"]],
];

describe("read-only commands never modify the store", () => {
  it.each(READ_ONLY)("hub %s leaves every byte, mtime and inode as it was", async (_name, argv) => {
    await seedStore();
    const before = await snapshot(tmp());
    const r = await hub([...argv, "--state-dir", tmp()]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toBe("");
    expect(await snapshot(tmp())).toEqual(before);
  });

  it("even on a clawdbot store whose entries carry legacy fields (migrated in memory only)", async () => {
    const store = path.join(tmp(), "sessions.json");
    await fs.copyFile(path.join(FIXTURES_DIR, "clawdbot-sessions.json"), store);
    const before = await snapshot(tmp());
    for (const argv of [["sessions", "--json"], ["status"], ["doctor"], ["prune", "--dry-run"], ["sessions", "show", "agent:main:discord:channel:998877"]]) {
      expect((await hub([...argv, "--store", store])).code).toBe(0);
    }
    expect(await snapshot(tmp())).toEqual(before);
  });
});

describe("a corrupt store: exit 2 and one clear stderr line", () => {
  const READERS: Array<[string, string[]]> = [
    ["sessions", ["sessions"]],
    ["sessions --json", ["sessions", "--json"]],
    ["sessions show", ["sessions", "show", "agent:main:main"]],
    ["sessions delete --dry-run", ["sessions", "delete", "agent:main:main", "--dry-run"]],
    ["transcript", ["transcript", "agent:main:main"]],
    ["status", ["status"]],
    ["prune --dry-run", ["prune", "--dry-run"]],
  ];

  it.each(READERS)("hub %s", async (name, argv) => {
    const store = storeOf(tmp());
    await writeJson(store, "{\n  \"agent:main:main\": {\n    \"sessionId\": ");
    const before = await snapshot(tmp());
    const r = await hub([...argv, "--state-dir", tmp()]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const command = name.split(" ")[0];
    expect(r.stderr).toMatch(new RegExp(`^hub ${command}: ${store.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not valid JSON \\(.+\\) \\(run "hub doctor --fix" to recover it\\) \\[E_CORRUPT_STORE\\]\\n$`));
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect(await snapshot(tmp())).toEqual(before);
  });

  it.each(["empty.json", "whitespace.json", "garbage.json", "zeros.json", "array.json", "null.json", "truncated.json"])(
    "fixtures/corrupt/%s: one printable line (bytes of the file never reach the terminal raw)",
    async (fixture) => {
      const store = storeOf(tmp());
      await fs.mkdir(path.dirname(store), { recursive: true });
      await fs.copyFile(path.join(FIXTURES_DIR, "corrupt", fixture), store);
      const r = await hub(["sessions", "--state-dir", tmp()]);
      expect(r.code).toBe(2);
      expect(r.stderr.endsWith(" [E_CORRUPT_STORE]\n")).toBe(true);
      expect(r.stderr.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      expect(r.stderr.startsWith(`hub sessions: ${store} `)).toBe(true);
    },
  );

  it("a store file with newlines in its garbage still makes one line", async () => {
    await writeJson(storeOf(tmp()), "garbage\nmore garbage\r\nand \u001b[31m escapes");
    const r = await hub(["status", "--state-dir", tmp()]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect(r.stderr).toContain("\\n");
  });
});

describe("a missing store", () => {
  it.each([
    ["sessions --json", ["sessions", "--json"], 2],
    ["status --json", ["status", "--json"], 0],
    ["doctor", ["doctor"], 0],
    ["prune --dry-run", ["prune", "--dry-run"], 2],
    ["sessions show", ["sessions", "show", "agent:main:main"], 2],
    ["transcript", ["transcript", "agent:main:main"], 2],
  ] as Array<[string, string[], number]>)("hub %s: exit %i, and no file or directory is created", async (_name, argv, code) => {
    const r = await hub([...argv, "--state-dir", path.join(tmp(), "state")]);
    expect(r.code).toBe(code);
    if (code === 2) expect(r.stderr).toMatch(/^hub \w+: no session store at .*sessions\.json \[E_NOT_FOUND\]\n$/);
    else expect(r.stderr).toBe("");
    expect(await fs.readdir(tmp())).toEqual([]);
  });
});

describe("environment", () => {
  it("an invalid HUB_SESSION_CACHE_TTL_MS names the variable (exit 2); 0 disables the cache and works", async () => {
    await writeJson(storeOf(tmp()), { "agent:main:main": { sessionId: "s1", updatedAt: NOW } });
    expect(await hub(["sessions", "--state-dir", tmp()], { env: { HUB_SESSION_CACHE_TTL_MS: "soon" } })).toEqual({
      code: 2,
      stdout: "",
      stderr: 'hub sessions: env HUB_SESSION_CACHE_TTL_MS must be a number of ms >= 0, got "soon" [E_INVALID_CONFIG]\n',
    });
    const r = await hub(["sessions", "--json", "--state-dir", tmp()], { env: { HUB_SESSION_CACHE_TTL_MS: "0" } });
    expect(JSON.parse(r.stdout)).toMatchObject({ count: 1 });
  });
});
