/**
 * `--store` pointed at a file that is not a session store (issue 9 item 18): no command
 * renames, quarantines or rewrites it, and nothing suggests `doctor --fix` for it. Only
 * `hub doctor --fix --force` treats it as a damaged store.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hub, snapshot, useTempDir } from "./helpers.js";

const tmp = useTempDir();

const FOREIGN: Array<[string, string]> = [
  ["passwd", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"],
  ["hosts", "127.0.0.1 localhost\n::1 localhost ip6-localhost\n"],
  ["list.json", "[1, 2, 3]\n"],
  ["notes.txt", ""],
];

async function foreign(name: string, text: string): Promise<string> {
  const file = path.join(tmp(), name);
  await fs.writeFile(file, text);
  return file;
}

const ONE_LINE = /^hub \w+: .* does not look like a session store \(not named sessions\.json, and not a JSON object\): it was left as it is.*\[E_NOT_A_STORE\]\n$/u;

describe("a file that is not a session store", () => {
  it.each(FOREIGN)("doctor --fix --store %s: exit 2, one line, the directory unchanged", async (name, text) => {
    const file = await foreign(name, text);
    const before = await snapshot(tmp());
    const r = await hub(["doctor", "--fix", "--store", file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(ONE_LINE);
    expect(r.stderr).toContain("(add --force to quarantine it anyway)");
    expect(await snapshot(tmp())).toEqual(before);
  });

  it.each([
    ["sessions", []],
    ["sessions delete", ["agent:main:main"]],
    ["prune", []],
    ["status", []],
    ["transcript", ["agent:main:main"]],
  ])("%s --store passwd: E_NOT_A_STORE, no doctor --fix suggestion, unchanged", async (command, args) => {
    const file = await foreign(...(FOREIGN[0] as [string, string]));
    const before = await snapshot(tmp());
    const r = await hub([...command.split(" "), ...args, "--store", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(ONE_LINE);
    expect(r.stderr).not.toContain("doctor");
    expect(r.stderr).not.toContain("--force");
    expect(await snapshot(tmp())).toEqual(before);
  });

  it("doctor without --fix reports it as not-a-store and changes nothing", async () => {
    const file = await foreign(...(FOREIGN[1] as [string, string]));
    const before = await snapshot(tmp());
    const r = await hub(["doctor", "--json", "--store", file]);
    expect(r.code).toBe(2);
    const findings = (JSON.parse(r.stdout) as { findings: Array<{ kind: string; subject: string }> }).findings;
    expect(findings).toEqual([expect.objectContaining({ kind: "not-a-store", subject: file, severity: "error" })]);
    expect(await snapshot(tmp())).toEqual(before);
  });

  it("doctor --fix --force quarantines it, keeping its bytes", async () => {
    const [name, text] = FOREIGN[0] as [string, string];
    const file = await foreign(name, text);
    const r = await hub(["doctor", "--fix", "--force", "--store", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("fixed: quarantined and recovered");
    const names = await fs.readdir(tmp());
    const kept = names.find((n) => n.startsWith("passwd.corrupt."));
    expect(kept).toBeDefined();
    expect(await fs.readFile(path.join(tmp(), kept as string), "utf8")).toBe(text);
  });

  it("--force without --fix is a usage error", async () => {
    const r = await hub(["doctor", "--force", "--store", await foreign("x", "x")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^hub doctor: --force only means something with --fix\n/u);
  });
});

describe("damaged stores are still recovered without --force", () => {
  it.each([
    ["sessions.json", "garbage that is not json"],
    ["custom-store.json", '{"agent:main:main": {"sessionId": "s1", "upda'],
    ["custom-store.json", ""],
  ])("doctor --fix --store %s (%j) quarantines it", async (name, text) => {
    const file = await foreign(name, text);
    const r = await hub(["doctor", "--fix", "--store", file]);
    expect(r.code).toBe(0);
    expect((await fs.readdir(tmp())).some((n) => n.startsWith(`${name}.corrupt.`))).toBe(true);
  });

  it("sessions on a torn custom-named store still suggests doctor --fix", async () => {
    const file = await foreign("custom-store.json", '{"agent:main:main": ');
    const r = await hub(["sessions", "--store", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('(run "hub doctor --fix" to recover it) [E_CORRUPT_STORE]');
  });
});
