/**
 * Loading and validating configuration: a `HubConfig` object in code, or a JSON5 file
 * (`<stateDir>/hub.json5` by default, or an explicit path).
 */
import fs from "node:fs/promises";
import path from "node:path";
import JSON5 from "json5";
import type { z } from "zod";
import { HubError, describeValue, isErrnoCode } from "../errors.js";
import { hubConfigSchema, type HubConfig } from "./schema.js";

export const CONFIG_FILE_NAME = "hub.json5";

function valueAt(input: unknown, where: ReadonlyArray<PropertyKey>): unknown {
  let value = input;
  for (const part of where) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

/** `session.sendPolicy.rules[0].action`: keys joined by dots, array indices in brackets. */
function formatPath(where: ReadonlyArray<PropertyKey>): string {
  const text = where.map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`)).join("");
  return text || "(root)";
}

/** zod's type names as prose: `object` → `an object`. */
function withArticle(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const where = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    return `${where}: unknown ${issue.keys.length === 1 ? "key" : "keys"} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  }
  let expectation = issue.message;
  if (issue.code === "invalid_type" && expectation.startsWith("Invalid input")) expectation = `expected ${withArticle(issue.expected)}`;
  return `${where}: ${expectation}, got ${describeValue(valueAt(input, issue.path))}`;
}

/**
 * Validates a configuration object; throws `HubError` `E_INVALID_CONFIG` whose message names
 * each offending path, what was expected and what was found
 * (`session.reset.atHour: expected an integer 0-23, got 25`).
 */
export function validateConfig(input: unknown, source = "config"): HubConfig {
  const result = hubConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => describeIssue(issue, input)).join("; ");
  throw new HubError("E_INVALID_CONFIG", `invalid ${source}: ${details}`, { cause: result.error });
}

/** Reads and validates a JSON5 config file. `optional`: a missing file is an empty config. */
export async function loadConfigFile(file: string, options: { optional?: boolean } = {}): Promise<HubConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    if (isErrnoCode(error, "ENOENT") && options.optional) return {};
    const cause = isErrnoCode(error, "ENOENT") ? "file not found" : (error as Error).message;
    throw new HubError("E_INVALID_CONFIG", `cannot read config ${file}: ${cause}`, { cause: error, file });
  }
  let data: unknown;
  try {
    data = JSON5.parse(text);
  } catch (error) {
    throw new HubError("E_INVALID_CONFIG", `config ${file} is not valid JSON5: ${(error as Error).message}`, { cause: error, file });
  }
  return validateConfig(data, `config ${file}`);
}

/**
 * The configuration in force: an object is validated as given; a string is a JSON5 file
 * path; nothing means `<stateDir>/hub.json5` when it exists, else the defaults.
 */
export async function resolveConfig(config: HubConfig | string | undefined, stateDir: string): Promise<HubConfig> {
  if (typeof config === "string") return loadConfigFile(path.resolve(config));
  if (config !== undefined) return validateConfig(config);
  return loadConfigFile(path.join(stateDir, CONFIG_FILE_NAME), { optional: true });
}
