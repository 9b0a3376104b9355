/**
 * `npm pack` from a fresh clone (no `dist/`) ships the built code (issue 9 item 20): the
 * `prepack` script builds it. The clone is a copy of the sources in a temp dir sharing this
 * repository's node_modules; the packed `hub` runs from the extracted tarball. The package is
 * ESM-only (issue 14 item 9): `require("session-hub")` fails with a message saying so, from
 * this repository (a self-reference) and from the tarball.
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
const CLONE = ["package.json", "tsconfig.json", "tsconfig.build.json", "README.md", "LICENSE", "cjs", "src"];

/** What the package ships besides dist/. */
const SHIPPED = ["package.json", "README.md", "LICENSE", "cjs/esm-only.cjs"];

/** Runs `require("session-hub")` in a CommonJS script from `cwd`; resolves with its stderr and exit code. */
async function requireFrom(cwd: string): Promise<{ code: number; stderr: string }> {
  const result = await run(process.execPath, ["-e", 'require("session-hub")'], { cwd, env: cleanEnv() }).then(
    () => ({ code: 0, stderr: "" }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
  );
  return result;
}

const ESM_ONLY = /session-hub is ESM-only: use `import \{ createHub \} from "session-hub"`, or `await import\("session-hub"\)` from CommonJS/;

it("require(\"session-hub\") fails with a message that the package is ESM-only; import() works", async () => {
  const required = await requireFrom(REPO_ROOT);
  expect(required.code).toBe(1);
  expect(required.stderr).toMatch(ESM_ONLY);
  expect(required.stderr).toMatch(/code: 'ERR_REQUIRE_ESM'/);
  const imported = await run(process.execPath, ["-e", 'import("session-hub").then((m) => console.log(typeof m.createHub))'], { cwd: REPO_ROOT, env: cleanEnv() });
  expect(imported.stdout).toBe("function\n");
});

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
  expect(files).toEqual(expect.arrayContaining([...SHIPPED, "dist/index.js", "dist/index.d.ts", "dist/cli/bin.js", "dist/dashboard/static/index.html", "dist/dashboard/static/app.js"]));
  expect(files.filter((f) => !f.startsWith("dist/") && !SHIPPED.includes(f))).toEqual([]);

  // The packed bin runs (dependencies resolve through the clone's node_modules).
  const extracted = path.join(clone, "extracted");
  await fs.mkdir(extracted);
  await run("tar", ["-xzf", path.join(tmp(), report[0]?.filename ?? "missing.tgz"), "-C", extracted]);
  const version = await run(process.execPath, [path.join(extracted, "package", "dist", "cli", "bin.js"), "--version"], { env: cleanEnv() });
  const pkg = JSON.parse(await fs.readFile(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
  expect(version.stdout).toBe(`${pkg.version}\n`);

  // A CommonJS consumer of the tarball is told to use import.
  const consumer = path.join(clone, "consumer");
  await fs.mkdir(path.join(consumer, "node_modules"), { recursive: true });
  await fs.symlink(path.join(extracted, "package"), path.join(consumer, "node_modules", "session-hub"), "dir");
  const required = await requireFrom(consumer);
  expect(required.code).toBe(1);
  expect(required.stderr).toMatch(ESM_ONLY);
}, 180_000);
