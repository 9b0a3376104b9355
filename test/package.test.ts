/**
 * `npm pack` from a fresh clone (no `dist/`) ships the built code (issue 9 item 20): the
 * `prepack` script builds it. The clone is a copy of the sources in a temp dir sharing this
 * repository's node_modules; the packed `hub` runs from the extracted tarball.
 */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { REPO_ROOT, useTempDir } from "./support.js";

const run = promisify(execFile);
const tmp = useTempDir("hub-pack-");

/** What a clone has before any build: the sources and the build configuration, no dist/. */
const CLONE = ["package.json", "tsconfig.json", "tsconfig.build.json", "README.md", "src"];

/** The environment without the npm_* variables of an enclosing `npm test`. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")));
}

it("npm pack in a clone without dist/ builds first and ships dist/index.js and dist/cli/bin.js", async () => {
  const clone = path.join(tmp(), "clone");
  await fs.mkdir(clone);
  for (const name of CLONE) await fs.cp(path.join(REPO_ROOT, name), path.join(clone, name), { recursive: true });
  await fs.symlink(path.join(REPO_ROOT, "node_modules"), path.join(clone, "node_modules"), "dir");

  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", tmp()], { cwd: clone, env: cleanEnv() });
  // prepack's own output goes to stdout before the JSON report.
  const report = JSON.parse(stdout.slice(stdout.search(/^\[$/mu))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const files = report[0]?.files.map((f) => f.path) ?? [];
  expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/cli/bin.js", "dist/dashboard/static/index.html", "dist/dashboard/static/app.js"]));
  expect(files.filter((f) => !f.startsWith("dist/") && !["package.json", "README.md"].includes(f))).toEqual([]);

  // The packed bin runs (dependencies resolve through the clone's node_modules).
  const extracted = path.join(clone, "extracted");
  await fs.mkdir(extracted);
  await run("tar", ["-xzf", path.join(tmp(), report[0]?.filename ?? "missing.tgz"), "-C", extracted]);
  const version = await run(process.execPath, [path.join(extracted, "package", "dist", "cli", "bin.js"), "--version"], { env: cleanEnv() });
  const pkg = JSON.parse(await fs.readFile(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
  expect(version.stdout).toBe(`${pkg.version}\n`);
}, 180_000);
