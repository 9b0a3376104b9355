/**
 * `hub config check [<file>]` (issue 14 item 6): validates a config file and prints the
 * effective config, each value with where it came from.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_DEDUPE_TTL_MS } from "../../src/backend/file/dedupe/dedupe.js";
import { effectiveConfig } from "../../src/config/effective.js";
import { displayWidth } from "../../src/cli/width.js";
import { hub, useTempDir } from "./helpers.js";

const tmp = useTempDir();
const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone;

async function writeConfig(text: string, name = "hub.json5"): Promise<string> {
  await fs.mkdir(tmp(), { recursive: true });
  const file = path.join(tmp(), name);
  await fs.writeFile(file, text);
  return file;
}

describe("hub config check", () => {
  it("prints every value with where it came from, within 80 columns", async () => {
    const file = await writeConfig(`{ session: { dmScope: "per-peer", reset: { mode: "idle", idleMinutes: 120 }, resetByChannel: { discord: { mode: "never" } } }, messages: { inbound: { debounceMs: 2000 } } }`);
    const r = await hub(["config", "check", file]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const lines = r.stdout.split("\n");
    expect(lines.slice(0, 4)).toEqual([`Config: ${file} (valid; 5 values set)`, "Values set in code (createHub({ config })) are not visible to the CLI.", "", "SETTING                                FROM     VALUE"]);
    expect(lines).toContain('session.dmScope                        file     "per-peer"');
    expect(lines).toContain('session.reset.idleMinutes              file     120');
    expect(lines).toContain('session.resetByChannel                 file     {"discord":{"mode":"never"}}');
    expect(lines).toContain("session.reset.atHour                   default  4 (daily mode)");
    expect(lines).toContain('messages.dedupe.ttl                    default  "24h"');
    expect(lines).toContain("messages.inbound.debounceMs            file     2000");
    expect(lines).toContain(`session.timezone                       default  ${JSON.stringify(TZ)} (this machine's)`);
    // A value too long for its row goes whole on the next line.
    const store = lines.indexOf("session.store                          default");
    expect(lines[store + 1]).toBe('    "<stateDir>/agents/{agentId}/sessions/sessions.json"');
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
  });

  it("the file's reset triggers add to the defaults, which stay on", () => {
    const values = effectiveConfig({ session: { resetTriggers: ["/fresh", "/new"] } });
    expect(values.find((v) => v.path === "session.resetTriggers")).toEqual({ path: "session.resetTriggers", value: ["/new", "/reset", "/fresh"], source: "file", note: "/new and /reset always on" });
  });

  it("without a file: <state-dir>/hub.json5, else every value is the default; --config names the file too", async () => {
    await fs.mkdir(tmp(), { recursive: true });
    const none = await hub(["config", "check", "--state-dir", tmp()]);
    expect(none.code).toBe(0);
    expect(none.stdout.split("\n")[0]).toBe(`Config: no file at ${path.join(tmp(), "hub.json5")}: every value is the default`);
    expect(none.stdout).not.toMatch(/ file {5}/u);
    const file = await writeConfig(`{ session: { mainKey: "home" } }`);
    expect((await hub(["config", "check", "--state-dir", tmp()])).stdout).toContain('session.mainKey                        file     "home"');
    expect((await hub(["config", "check", "--config", file])).stdout.split("\n")[0]).toBe(`Config: ${file} (valid; 1 value set)`);
  });

  it("--json: each value with its source; the default dedupe TTL is the dedupe module's", async () => {
    const file = await writeConfig(`{ session: { maintenance: { maxEntries: 50 }, store: "" }, extra: 1 }`);
    const payload = JSON.parse((await hub(["config", "check", file, "--json"])).stdout) as { valid: boolean; exists: boolean; ignored: string[]; values: Array<{ path: string; value: unknown; source: string }> };
    expect(payload).toMatchObject({ valid: true, exists: true, ignored: ["extra"] });
    const at = (p: string) => payload.values.find((v) => v.path === p);
    expect(at("session.maintenance.maxEntries")).toEqual({ path: "session.maintenance.maxEntries", value: 50, source: "file" });
    expect(at("session.store")).toMatchObject({ source: "default" }); // a blank store means the default
    expect(at("messages.dedupe.ttl")?.value).toBe(`${DEFAULT_DEDUPE_TTL_MS / 3_600_000}h`);
    expect(payload.values.filter((v) => v.path === "extra")).toEqual([]);
  });

  it("the legacy session.idleMinutes makes the default reset mode idle", () => {
    const values = effectiveConfig({ session: { idleMinutes: 30 } });
    expect(values.find((v) => v.path === "session.reset.mode")).toMatchObject({ value: "idle", source: "default" });
    expect(values.find((v) => v.path === "session.reset.idleMinutes")).toMatchObject({ value: 30, source: "default" });
  });

  it("hostile values and ignored keys from the file are escaped in the table and exact in --json", async () => {
    const file = await writeConfig(`{ session: { mainKey: "m\\u001b[2J\\u202e", "\\u001b]0;x\\u0007": 1 } }`);
    const r = await hub(["config", "check", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/u);
    expect(r.stdout).toContain('session.mainKey                        file     "m\\u001b[2J\\u202e"');
    expect(r.stdout).toContain("Ignored (unknown to session-hub): session.\\u001b]0;x\\u0007\n");
    const json = await hub(["config", "check", file, "--json"]);
    expect(json.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/u);
    const payload = JSON.parse(json.stdout) as { values: Array<{ path: string; value: unknown }>; ignored: string[] };
    expect(payload.values.find((v) => v.path === "session.mainKey")?.value).toBe("m\u001b[2J\u202e");
    expect(payload.ignored).toEqual(["session.\u001b]0;x\u0007"]);
  });

  it("an invalid file is exit 1 with every error on its own line, escaped", async () => {
    const file = await writeConfig(`{ session: { reset: { atHour: 25 }, dmScope: "per-\\u001b[2Jpeer", resetByType: { "\\u202eevil": {} } } }`);
    const r = await hub(["config", "check", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")).toEqual([
      `hub config: ${file} is invalid:`,
      expect.stringMatching(/^ {2}session\.dmScope: expected "main", .*, got "per-\\u001b\[2Jpeer"$/u),
      "  session.reset.atHour: expected an integer 0-23, got 25",
      '  session.resetByType: unknown key "\\u202eevil"',
      "",
    ]);
    const json = await hub(["config", "check", file, "--json"]);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { valid: boolean; errors: string[] })).toMatchObject({ valid: false, errors: expect.arrayContaining(["session.reset.atHour: expected an integer 0-23, got 25"]) });
  });

  it("not JSON5 is exit 1; a named file that does not exist is exit 2; bad input is a usage error", async () => {
    const bad = await writeConfig("{ session: ", "bad.json5");
    const r = await hub(["config", "check", bad]);
    expect([r.code, r.stderr.split("\n")[1]]).toEqual([1, expect.stringMatching(/^ {2}not valid JSON5: /u)]);
    const missing = path.join(tmp(), "missing.json5");
    expect(await hub(["config", "check", missing])).toEqual({ code: 2, stdout: "", stderr: `hub config: no config file at ${missing} [E_NOT_FOUND]\n` });
    expect((await hub(["config", "chek"])).stderr.split("\n")[0]).toBe('hub config: unknown config subcommand "chek" (did you mean "check"?)');
    expect((await hub(["config"])).code).toBe(1);
    expect((await hub(["config", "check", "a", "b"])).stderr.split("\n")[0]).toBe("hub config: config check takes at most one <file>");
    expect((await hub(["config", "check", "--store", "x"])).stderr.split("\n")[0]).toBe("hub config: --store, --agent and --database mean nothing for config check");
  });
});
