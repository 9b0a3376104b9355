/** `hub sessions --json` loads only what listing needs: start-up is most of its cost. */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { openSessionStore } from "../../src/backend/file/store/session-store.js";
import { REPO_ROOT, ensureDistBuilt, useTempDir } from "../support.js";

const tmp = useTempDir("hub-startup-");
const HOOKS = pathToFileURL(path.join(REPO_ROOT, "test/cli/children/record-modules.mjs")).href;
const REGISTER = `data:text/javascript,import { register } from "node:module"; register(${JSON.stringify(HOOKS)});`;

beforeAll(ensureDistBuilt);

/** Runs the built bin; resolves with its exit code, stdout and the modules it loaded (repo-relative, and node: builtins). */
function run(args: string[]): Promise<{ code: number; stdout: string; modules: string[]; builtins: string[] }> {
  const list = path.join(tmp(), `modules-${Math.random().toString(36).slice(2)}.txt`);
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? "", HUB_TEST_MODULES_FILE: list };
    execFile(process.execPath, ["--import", REGISTER, path.join(REPO_ROOT, "dist/cli/bin.js"), ...args], { env }, (error, stdout) => {
      fs.readFile(list, "utf8").then((text) => {
        const root = pathToFileURL(REPO_ROOT).href;
        const modules = text.split("\n").filter((url) => url.startsWith(root)).map((url) => url.slice(root.length + 1));
        const builtins = text.split("\n").filter((url) => url.startsWith("node:"));
        resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, modules, builtins });
      }, reject);
    });
  });
}

async function seed(): Promise<string> {
  const stateDir = tmp();
  const store = openSessionStore({ stateDir, durable: false });
  await store.update("agent:main:telegram:dm:111", { label: "one" });
  await store.close();
  return stateDir;
}

describe("hub start-up", () => {
  it("sessions --json without a config file loads no config validator, JSON5 parser, lock, turn, dedupe or other command", async () => {
    const stateDir = await seed();
    const r = await run(["sessions", "--json", "--state-dir", stateDir]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ count: 1, sessions: [{ key: "agent:main:telegram:dm:111", label: "one" }] });
    expect(r.modules).toContain("dist/cli/commands/sessions.js");
    const unneeded = [/^node_modules\/(zod|json5|proper-lockfile|nanoid)\//, /^dist\/config\/(load|schema)\.js$/, /^dist\/backend\/file\/(turn|lock\/|dedupe\/|gateways\/)/, /^dist\/cli\/commands\/(?!sessions\.js)/, /^dist\/cli\/(sessions-table|width)\.js$/, /^dist\/lifecycle\/maintenance\.js$/];
    expect(r.modules.filter((m) => unneeded.some((re) => re.test(m)))).toEqual([]);
  });

  it("sessions --json on a file store reads a snapshot: no backend façade, session store object, feed, transcripts, recovery or table formatting", async () => {
    const stateDir = await seed();
    const r = await run(["sessions", "--json", "--state-dir", stateDir]);
    expect(r.code).toBe(0);
    expect(r.modules).toContain("dist/backend/file/store/store-snapshot.js");
    const unneeded = [
      /^dist\/backend\/file\/(index|draft|session-files|transcript-tail|lazy-modules)\.js$/,
      /^dist\/backend\/file\/(feed|runs|doctor)\//,
      /^dist\/backend\/file\/transcripts\/(?!transcript-file\.js)/,
      /^dist\/backend\/file\/store\/(session-store|store-writer|draft|copy|recovery|backup|store-shape)\.js$/,
      /^dist\/cli\/(format|colour|agent-stores)\.js$/,
    ];
    expect(r.modules.filter((m) => unneeded.some((re) => re.test(m)))).toEqual([]);
    expect(r.builtins).not.toContain("node:crypto"); // only writes name temp files with it
  });

  it("a config file is still read and validated (its parser loaded then)", async () => {
    const stateDir = await seed();
    await fs.writeFile(path.join(stateDir, "hub.json5"), "{ session: { reset: { atHour: 25 } } }");
    const r = await run(["sessions", "--json", "--state-dir", stateDir]);
    expect(r.code).toBe(2);
    expect(r.modules).toContain("dist/config/load.js");
  });

  it("hub --help loads no command and no store module", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("sessions");
    expect(r.modules.filter((m) => m.startsWith("dist/cli/commands/") || m.startsWith("dist/backend/file/store/store-") || m.endsWith("/session-store.js"))).toEqual([]);
  });
});
