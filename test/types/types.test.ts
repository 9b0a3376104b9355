/**
 * The type-level tests in test/types/*.ts, compiled with `strict` and
 * `exactOptionalPropertyTypes` (test/types/tsconfig.json): a public input that rejects an
 * explicit `undefined`, or an `@ts-expect-error` line whose error is gone (wrong input now
 * accepted), fails here with the compiler's message.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support.js";

describe("type-level tests", () => {
  it("test/types compiles under strict + exactOptionalPropertyTypes", async () => {
    const tsc = path.join(REPO_ROOT, "node_modules/.bin/tsc");
    const run = await promisify(execFile)(tsc, ["-p", "test/types/tsconfig.json"], { cwd: REPO_ROOT }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, out: error.stdout ?? String(error) }),
    );
    expect(run.out).toBe("");
    expect(run.code).toBe(0);
  }, 240_000);
});
