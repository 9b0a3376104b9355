/**
 * `hub config check`: a config file validated, with every error (not only the first) and
 * the effective configuration, each value with where it came from.
 */
import fs from "node:fs/promises";
import JSON5 from "json5";
import { HubError, isErrnoCode } from "../errors.js";
import { effectiveConfig, type EffectiveValue } from "./effective.js";
import { describeIssue, ignoredConfigKeys } from "./load.js";
import { hubConfigSchema } from "./schema.js";

export type ConfigCheck =
  | { file: string; exists: boolean; valid: true; values: EffectiveValue[]; ignored: string[] }
  | { file: string; exists: true; valid: false; errors: string[] };

/** The file's text; undefined when it does not exist and is `optional`. */
async function readText(file: string, optional: boolean): Promise<string | undefined> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) {
      if (optional) return undefined;
      throw new HubError("E_NOT_FOUND", `no config file at ${file}`, { cause: error, file });
    }
    throw new HubError("E_IO", `cannot read config ${file}: ${(error as Error).message}`, { cause: error, file });
  }
}

/**
 * Checks the config file at `file`. `optional`: a missing file is valid and every value is
 * the default (the CLI's `<stateDir>/hub.json5`); else it is `E_NOT_FOUND`. A file that is
 * not JSON5 or not a valid config is `valid: false` with one error per problem.
 */
export async function checkConfigFile(file: string, options: { optional: boolean }): Promise<ConfigCheck> {
  const text = await readText(file, options.optional);
  if (text === undefined) return { file, exists: false, valid: true, values: effectiveConfig({}), ignored: [] };
  let raw: unknown;
  try {
    raw = JSON5.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { file, exists: true, valid: false, errors: [`not valid JSON5: ${error.message}`] };
  }
  const result = hubConfigSchema.safeParse(raw ?? {});
  if (!result.success) return { file, exists: true, valid: false, errors: result.error.issues.map((issue) => describeIssue(issue, raw)) };
  return { file, exists: true, valid: true, values: effectiveConfig(result.data), ignored: ignoredConfigKeys(raw) };
}
