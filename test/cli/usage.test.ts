/**
 * Usage errors (issue 14 item 5): a short usage for that command (not the whole help), a
 * "did you mean" for mistyped commands and flags, flags that mean nothing for a (sub)command
 * refused, and a store path that does not exist said so (exit 2) with nothing created.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { closest } from "../../src/cli/suggest.js";
import { hub, storeOf, useTempDir, writeJson } from "./helpers.js";

const tmp = useTempDir();

describe("closest", () => {
  it.each([
    ["sesions", ["sessions", "status", "doctor"], "sessions"],
    ["stauts", ["sessions", "status"], "status"],
    ["--jsn", ["--json", "--active"], "--json"],
    ["--dryrun", ["--dry-run", "--json"], "--dry-run"],
    ["xyzzy", ["sessions", "status", "doctor"], undefined],
    ["--x", ["--json"], undefined],
  ] as Array<[string, string[], string | undefined]>)("%s among %j → %s", (input, candidates, expected) => {
    expect(closest(input, candidates)).toBe(expected);
  });
});

describe("a mistyped command", () => {
  it("names the command it may have meant and prints a short usage, not the whole help", async () => {
    const r = await hub(["sesions"]);
    expect(r).toEqual({
      code: 1,
      stdout: "",
      stderr: 'hub: unknown command "sesions" (did you mean "sessions"?)\n\nUsage: hub <command> [options]\nCommands: sessions, transcript, status, doctor, prune, compact, dashboard, import, export, gateways, config\nRun "hub --help" for more.\n',
    });
  });

  it("without a close match, no suggestion", async () => {
    expect((await hub(["xyzzy"])).stderr.split("\n")[0]).toBe('hub: unknown command "xyzzy"');
  });
});

describe("a mistyped or meaningless flag", () => {
  it.each([
    [["sessions", "--jsn"], "hub sessions: unknown option --jsn (did you mean --json?)"],
    [["doctor", "--fx"], "hub doctor: unknown option --fx (did you mean --fix?)"],
    [["transcript", "k", "--limt", "5"], "hub transcript: unknown option --limt (did you mean --limit?)"],
    [["prune", "--dryrun"], "hub prune: unknown option --dryrun (did you mean --dry-run?)"],
    [["status", "--stor", "x"], "hub status: unknown option --stor (did you mean --store?)"],
    [["status", "--frobnicate"], "hub status: unknown option --frobnicate"],
    [["status", "-x"], "hub status: unknown option -x"],
    [["sessions", "show", "k", "--active", "5"], 'hub sessions: --active means nothing for "sessions show"'],
    [["sessions", "delete", "k", "--json"], 'hub sessions: --json means nothing for "sessions delete"'],
    [["sessions", "--dry-run"], 'hub sessions: --dry-run means nothing for "sessions" (list)'],
    [["doctor", "--force"], "hub doctor: --force only means something with --fix"],
  ])("hub %j: exit 1, the problem, a short usage", async (argv, first) => {
    const r = await hub([...argv, "--state-dir", tmp()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n");
    expect(lines[0]).toBe(first);
    expect(lines[2]).toMatch(/^Usage:/u);
    expect(r.stderr).not.toContain("Options:");
    expect(r.stderr).toMatch(new RegExp(`Run "hub ${argv[0]} --help" for more\\.\\n$`, "u"));
    expect(await fs.readdir(tmp())).toEqual([]);
  });
});

describe("a store that does not exist", () => {
  it.each([
    ["sessions", ["sessions"]],
    ["sessions --json", ["sessions", "--json"]],
    ["sessions show", ["sessions", "show", "agent:main:main"]],
    ["sessions delete", ["sessions", "delete", "agent:main:main"]],
    ["sessions delete --dry-run", ["sessions", "delete", "agent:main:main", "--dry-run"]],
    ["transcript", ["transcript", "agent:main:main"]],
    ["prune", ["prune"]],
    ["prune --dry-run", ["prune", "--dry-run"]],
  ])("hub %s says so (exit 2) and creates nothing, with --store or the default path", async (_name, argv) => {
    const explicit = path.join(tmp(), "nope", "sessions.json");
    const r = await hub([...argv, "--store", explicit]);
    expect(r).toEqual({ code: 2, stdout: "", stderr: `hub ${argv[0]}: no session store at ${explicit} [E_NOT_FOUND]\n` });
    const byDefault = await hub([...argv, "--state-dir", path.join(tmp(), "state")]);
    expect(byDefault).toEqual({ code: 2, stdout: "", stderr: `hub ${argv[0]}: no session store at ${storeOf(path.join(tmp(), "state"))} [E_NOT_FOUND]\n` });
    expect(await fs.readdir(tmp())).toEqual([]);
  });

  it("an existing empty store is still an empty list", async () => {
    await writeJson(storeOf(tmp()), {});
    expect((await hub(["sessions", "--state-dir", tmp()])).code).toBe(0);
  });
});
