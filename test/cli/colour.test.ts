/**
 * Colours (issue 14 item 7): on a terminal only, off with NO_COLOR, forced with FORCE_COLOR;
 * never in pipes, files or --json.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { coloursEnabled } from "../../src/cli/colour.js";
import { main, type CliIo } from "../../src/cli/main.js";
import { NOW, REPO_ROOT, ensureDistBuilt, storeOf, useTempDir, writeJson } from "./helpers.js";

const tmp = useTempDir();
const run = promisify(execFile);
const ESC = "\u001b[";
const terminal = () => ({ columns: 80, rows: 24 });

describe("coloursEnabled", () => {
  it.each([
    ["a terminal", { terminal }, {}, true],
    ["a pipe", {}, {}, false],
    ["a terminal with NO_COLOR=1", { terminal }, { NO_COLOR: "1" }, false],
    ["a terminal with an empty NO_COLOR", { terminal }, { NO_COLOR: "" }, true],
    ["a pipe with FORCE_COLOR=1", {}, { FORCE_COLOR: "1" }, true],
    ["a terminal with FORCE_COLOR=0", { terminal }, { FORCE_COLOR: "0" }, false],
    ["NO_COLOR and FORCE_COLOR", {}, { NO_COLOR: "1", FORCE_COLOR: "1" }, false],
    ["a dumb terminal", { terminal }, { TERM: "dumb" }, false],
  ] as Array<[string, Partial<CliIo>, NodeJS.ProcessEnv, boolean]>)("%s → %s", (_name, io, env, expected) => {
    expect(coloursEnabled({ stdout: () => undefined, stderr: () => undefined, ...io, env })).toBe(expected);
  });
});

async function sessionsOutput(env: NodeJS.ProcessEnv, tty: boolean, extra: string[] = []): Promise<string> {
  let stdout = "";
  await main(["sessions", "--state-dir", tmp(), ...extra], { stdout: (t) => (stdout += t), stderr: () => undefined, env, now: () => NOW, ...(tty ? { terminal } : {}) });
  return stdout;
}

describe("hub sessions on a terminal", () => {
  it("bolds the header on a terminal; plain text with NO_COLOR, in a pipe and in --json", async () => {
    await writeJson(storeOf(tmp()), { "agent:main:main": { sessionId: "a", updatedAt: NOW } });
    expect(await sessionsOutput({}, true)).toContain(`${ESC}1mKEY`);
    for (const plain of [await sessionsOutput({ NO_COLOR: "1" }, true), await sessionsOutput({}, false), await sessionsOutput({ FORCE_COLOR: "1" }, true, ["--json"])]) {
      expect(plain).not.toContain(ESC);
    }
  });

  it("hub gateways and hub config check bold their header on a terminal only", async () => {
    await writeJson(storeOf(tmp()), {});
    const out = async (argv: string[], env: NodeJS.ProcessEnv) => {
      let stdout = "";
      await main([...argv, "--state-dir", tmp()], { stdout: (t) => (stdout += t), stderr: () => undefined, env, now: () => NOW, terminal });
      return stdout;
    };
    await writeJson(`${tmp()}/gateways.json`, { g: { gatewayId: "g", name: "n", type: "telegram", active: true, registeredAt: NOW, updatedAt: NOW } });
    expect(await out(["gateways"], {})).toContain(`${ESC}1mID`);
    expect(await out(["config", "check"], {})).toContain(`${ESC}1mSETTING`);
    expect(await out(["gateways"], { NO_COLOR: "1" })).not.toContain(ESC);
    expect(await out(["config", "check"], { NO_COLOR: "1" })).not.toContain(ESC);
  });

  it("the real bin writes no escape sequences into a pipe, even with colours forced off or on a dumb terminal", async () => {
    await ensureDistBuilt();
    await writeJson(storeOf(tmp()), { "agent:main:main": { sessionId: "a", updatedAt: NOW } });
    for (const env of [{ NO_COLOR: "1" }, {}, { TERM: "dumb" }]) {
      const { stdout } = await run(process.execPath, [`${REPO_ROOT}/dist/cli/bin.js`, "sessions", "--state-dir", tmp()], { env: { PATH: process.env.PATH, ...env } });
      expect(stdout).toContain("agent:main:main");
      expect(stdout).not.toContain(ESC);
    }
  });
});
