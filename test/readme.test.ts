/**
 * The README's TypeScript examples compile: every ```ts (or ```typescript) block is written as
 * its own module under the repo (so `from "session-hub"` resolves through package.json
 * `exports` to the built `dist/*.d.ts`) and type-checked with the compiler API under the
 * repo's strict tsconfig. A block may use top-level await. A block whose fence says
 * `no-check` (```ts no-check) is skipped: for fragments that are not meant to compile alone.
 */
import { existsSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, ensureDistBuilt } from "./cli/helpers.js";

interface CodeBlock {
  /** 1-based line of the block's first code line in the markdown. */
  line: number;
  code: string;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)([^`]*)$/;

/** The ```ts / ```typescript blocks of a markdown text, except those marked `no-check`. */
function extractTsBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? "");
    if (open === null) continue;
    const fence = open[1] ?? "```";
    const lang = (open[2] ?? "").toLowerCase();
    const attributes = (open[3] ?? "").trim().split(/\s+/);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j] ?? "";
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, "") === "") break;
      body.push(line);
    }
    if ((lang === "ts" || lang === "typescript") && !attributes.includes("no-check")) blocks.push({ line: i + 2, code: body.join("\n") });
    i = j;
  }
  return blocks;
}

/** The repo's compiler options, adjusted for checking loose example modules. */
function compilerOptions(): ts.CompilerOptions {
  const file = path.join(REPO_ROOT, "tsconfig.json");
  const read = ts.readConfigFile(file, (f) => ts.sys.readFile(f));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, REPO_ROOT);
  return {
    ...parsed.options,
    noEmit: true,
    declaration: false,
    sourceMap: false,
    moduleDetection: ts.ModuleDetectionKind.Force,
    // An example may name a value only to show its type.
    noUnusedLocals: false,
  };
}

/**
 * Type-checks `blocks` (each its own module, written to a temp folder inside the repo) and
 * returns one message per error, located in the markdown: `README.md:12: TS2322: ...`.
 */
async function typeCheckBlocks(blocks: readonly CodeBlock[], label: string): Promise<string[]> {
  const dir = await fs.mkdtemp(path.join(REPO_ROOT, "test", ".readme-tmp-"));
  try {
    const files = new Map<string, CodeBlock>();
    for (const [index, block] of blocks.entries()) {
      const file = path.join(dir, `block-${index + 1}.ts`);
      await fs.writeFile(file, `${block.code}\n`);
      files.set(path.resolve(file), block);
    }
    const program = ts.createProgram([...files.keys()], compilerOptions());
    return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
      const block = diagnostic.file ? files.get(path.resolve(diagnostic.file.fileName)) : undefined;
      if (diagnostic.file === undefined || diagnostic.start === undefined || block === undefined) return `${label}: TS${diagnostic.code}: ${text}`;
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      return `${label}:${block.line + line}: TS${diagnostic.code}: ${text}`;
    });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

beforeAll(ensureDistBuilt, 120_000);

describe("extractTsBlocks", () => {
  it("finds ts and typescript fences with their line numbers, skipping other languages and no-check", () => {
    const markdown = ["# Title", "```ts", "const a = 1;", "```", "", "```json5", "{ a: 1 }", "```", "```typescript", "let b = 2;", "b++;", "```", "```ts no-check", "broken(", "```", "````ts", "const c = '```';", "````"].join("\n");
    expect(extractTsBlocks(markdown)).toEqual([
      { line: 3, code: "const a = 1;" },
      { line: 10, code: "let b = 2;\nb++;" },
      { line: 17, code: "const c = '```';" },
    ]);
  });
});

describe("typeCheckBlocks on a sample README", () => {
  let sample: string;
  let sampleDir: string;
  beforeAll(async () => {
    sampleDir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-readme-"));
    sample = path.join(sampleDir, "README.md");
    await fs.writeFile(
      sample,
      [
        "# sample",
        "```ts",
        'import { createHub } from "session-hub";',
        'const hub = await createHub({ stateDir: "/tmp/x", config: { session: { dmScope: "per-peer" } } });',
        'const r = await hub.receive({ channel: "telegram", peerId: "1", text: "hi" });',
        "if (!r.duplicate) console.log(r.sessionKey, r.body);",
        "```",
        "Some prose.",
        "```ts",
        'import { createHub } from "session-hub";',
        "const hub = await createHub();",
        "",
        'await hub.receive({ channel: 42, text: "hi" });',
        "```",
        "```ts",
        "const sameNameInAnotherBlock = 1;",
        "const hub = sameNameInAnotherBlock;",
        "```",
      ].join("\n"),
    );
  });
  afterAll(async () => {
    await fs.rm(sampleDir, { recursive: true, force: true });
  });

  it("passes the good blocks and reports the bad one at its README line", async () => {
    const errors = await typeCheckBlocks(extractTsBlocks(readFileSync(sample, "utf8")), "README.md");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^README\.md:13: TS2322: Type 'number' is not assignable to type 'string'/);
  });

  it("cleans up its temp folder under test/", async () => {
    await typeCheckBlocks([{ line: 1, code: "export {};" }], "x");
    expect((await fs.readdir(path.join(REPO_ROOT, "test"))).filter((n) => n.startsWith(".readme-tmp-"))).toEqual([]);
  });
});

describe("README.md", () => {
  const readme = path.join(REPO_ROOT, "README.md");

  it("exists and has TypeScript examples", () => {
    expect(existsSync(readme), "README.md is missing").toBe(true);
    expect(extractTsBlocks(readFileSync(readme, "utf8")).length).toBeGreaterThan(0);
  });

  it("every ```ts example compiles against the package's own types", async () => {
    const blocks = existsSync(readme) ? extractTsBlocks(readFileSync(readme, "utf8")) : [];
    expect(await typeCheckBlocks(blocks, "README.md")).toEqual([]);
  });
});
