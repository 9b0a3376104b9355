/**
 * Loading and validating configuration: a `HubConfig` object in code, or a JSON5 file
 * (`<stateDir>/hub.json5` by default, or an explicit path).
 */
import fs from "node:fs/promises";
import path from "node:path";
import JSON5 from "json5";
import type { z } from "zod";
import { HubError, describeValue, isErrnoCode } from "../errors.js";
import { isPlainObject } from "../backend/shared/entry.js";
import { CONFIG_FILE_NAME } from "./config-file.js";
import { hubConfigSchema, messagesConfigSchema, sessionConfigSchema, type HubConfig } from "./schema.js";

export { CONFIG_FILE_NAME };

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

export function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
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
  return validateConfig(await readConfigFile(file, options), `config ${file}`);
}

/** The parsed JSON5 of a config file, not yet validated. */
async function readConfigFile(file: string, options: { optional?: boolean }): Promise<unknown> {
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
  return data;
}

const LOOSE_SECTIONS = [
  { prefix: "", known: Object.keys(hubConfigSchema.shape), at: (config: Record<string, unknown>) => config },
  { prefix: "session.", known: Object.keys(sessionConfigSchema.shape), at: (config: Record<string, unknown>) => config.session },
  { prefix: "messages.", known: Object.keys(messagesConfigSchema.shape), at: (config: Record<string, unknown>) => config.messages },
];

/**
 * Keys of the loose sections (top level, `session`, `messages`) that session-hub does not
 * use: accepted so that a copied clawdbot section loads, but reported because a typo
 * (`session.resetByTypes`) would otherwise be silently ignored.
 */
export function ignoredConfigKeys(input: unknown): string[] {
  if (!isPlainObject(input)) return [];
  return LOOSE_SECTIONS.flatMap(({ prefix, known, at }) => {
    const section = at(input);
    return isPlainObject(section) ? Object.keys(section).filter((key) => !known.includes(key)).map((key) => prefix + key) : [];
  });
}

export type ConfigWarning = { code: "E_UNKNOWN_CONFIG_KEY"; message: string; file?: string };

/**
 * The configuration in force: an object is validated as given; a string is a JSON5 file
 * path; nothing means `<stateDir>/hub.json5` when it exists, else the defaults. Keys it
 * ignores are reported to `onWarning`.
 */
export async function resolveConfig(
  config: HubConfig | string | undefined,
  stateDir: string,
  onWarning?: (warning: ConfigWarning) => void,
): Promise<HubConfig> {
  const file = typeof config === "string" ? path.resolve(config) : config === undefined ? path.join(stateDir, CONFIG_FILE_NAME) : undefined;
  const raw = file === undefined ? config : await readConfigFile(file, { optional: config === undefined });
  const validated = validateConfig(raw, file === undefined ? "config" : `config ${file}`);
  const ignored = ignoredConfigKeys(raw);
  if (ignored.length > 0 && onWarning) {
    const where = file === undefined ? "config" : file;
    onWarning({ code: "E_UNKNOWN_CONFIG_KEY", message: `${where}: ignored unknown ${ignored.length === 1 ? "key" : "keys"} ${ignored.join(", ")}`, ...(file ? { file } : {}) });
  }
  return validated;
}
