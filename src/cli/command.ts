/**
 * What a CLI command is, and the options every command shares (which store, which config).
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { ParseArgsConfig } from "node:util";
import type { LiveBackend } from "../backend/types.js";
import { CONFIG_FILE_NAME } from "../config/config-file.js";
import type { HubConfig } from "../config/schema.js";
import { HubError, describeValue, isErrnoCode } from "../errors.js";
import type { SessionStore, SessionStoreOptions } from "../backend/file/store/session-store.js";
import { statOrUndefined } from "../backend/file/fs/fs-util.js";
import { resolveStateDir, resolveStorePath } from "../backend/file/store/paths.js";
import { oneLine } from "./escape.js";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Environment (default `process.env`): `HUB_STATE_DIR`, `HUB_SESSION_CACHE_TTL_MS`. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Clock for ages (default `Date.now`). */
  now?: (() => number) | undefined;
  /** Show progress on stderr (default: stderr is a TTY). */
  progress?: boolean | undefined;
  /** Ends long-running commands (`--follow`, `--watch`, `dashboard`). Default: SIGINT or SIGTERM. */
  signal?: AbortSignal | undefined;
  /** Set when stdout is a terminal: its size now. */
  terminal?: (() => { columns: number; rows: number }) | undefined;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandContext {
  values: OptionValues;
  positionals: string[];
  io: CliIo;
}

export interface Command {
  name: string;
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Takes positional arguments (keys, a subcommand). Default false: any is a usage error. */
  positionals?: boolean;
  run(context: CommandContext): Promise<number>;
}

/** A mistake in how the command was called: exit code 1. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export const COMMON_OPTIONS = {
  store: { type: "string" },
  agent: { type: "string" },
  "state-dir": { type: "string" },
  config: { type: "string" },
  database: { type: "string" },
  schema: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

export interface Target {
  config: HubConfig;
  stateDir: string;
  agentId: string | undefined;
  storePath: string;
  /** `--database`, else env `HUB_DATABASE_URL`: the sessions are in Postgres, not in `storePath`. */
  databaseUrl: string | undefined;
  /** `--schema`, else env `HUB_DATABASE_SCHEMA` (validated), else the backend's default. */
  databaseSchema: string | undefined;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The schema of the database target: `--schema`, else env `HUB_DATABASE_SCHEMA`; a usage error unless an identifier. */
function schemaOf(values: OptionValues, env: NodeJS.ProcessEnv, databaseUrl: string | undefined): string | undefined {
  const flag = values.schema as string | undefined;
  if (flag !== undefined && databaseUrl === undefined) throw new UsageError("--schema names a Postgres schema: give --database <url> or set HUB_DATABASE_URL");
  if (databaseUrl === undefined) return undefined; // the env may be set for other runs: files ignore it
  const [name, from] = flag !== undefined ? [flag, "--schema"] : [env.HUB_DATABASE_SCHEMA || undefined, "env HUB_DATABASE_SCHEMA"];
  if (name !== undefined && !SCHEMA_NAME.test(name)) {
    throw new UsageError(`${from} must be a lower-case identifier ([a-z_][a-z0-9_]*, at most 63 characters), got ${JSON.stringify(name)}`);
  }
  return name;
}

/** False only when `file` is certainly absent; any other failure is for the loader to report. */
async function mayExist(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch (error) {
    return !isErrnoCode(error, "ENOENT");
  }
}

/**
 * `--config`, else `<stateDir>/hub.json5` when present. Without a file the config is empty
 * (what validating `{}` gives), and the JSON5 parser and the validator are not even loaded.
 */
async function loadConfig(explicit: string | undefined, stateDir: string, io: CliIo): Promise<HubConfig> {
  if (explicit === undefined && !(await mayExist(path.join(stateDir, CONFIG_FILE_NAME)))) return {};
  const { resolveConfig } = await import("../config/load.js");
  return resolveConfig(explicit, stateDir, (w) => io.stderr(`hub: warning: ${oneLine(w.message)} [${w.code}]\n`));
}

/** The store a command works on: `--store`, else the config's `session.store`, else the agent's default. */
export async function resolveTarget(values: OptionValues, io: CliIo): Promise<Target> {
  const env = io.env ?? process.env;
  const stateDir = resolveStateDir(values["state-dir"] as string | undefined, env);
  const config = await loadConfig(values.config as string | undefined, stateDir, io);
  const agentId = values.agent as string | undefined;
  const databaseUrl = (values.database as string | undefined) ?? (env.HUB_DATABASE_URL || undefined);
  if (databaseUrl !== undefined && values.store !== undefined) throw new UsageError("--store names a file store; it cannot be combined with --database (or env HUB_DATABASE_URL)");
  if (databaseUrl === "") throw new UsageError("--database needs a URL (postgres://user@host:port/db)");
  const explicit = (values.store as string | undefined) ?? config.session?.store;
  const storePath = resolveStorePath({ path: explicit, stateDir, agentId });
  return { config, stateDir, agentId, storePath, databaseUrl, databaseSchema: schemaOf(values, env, databaseUrl) };
}

/** A usage error for a command that only works on a file store, when the target is a database. */
export function assertFileTarget(target: Target, command: string, why: string): void {
  if (target.databaseUrl !== undefined) throw new UsageError(`${command} works on a file store, not on Postgres (--database, env HUB_DATABASE_URL): ${why}`);
}

/**
 * Commands that read or change sessions refuse a store that does not exist: a mistyped
 * `--store` or `--agent` must not look like an empty store. Nothing is created. A database
 * is checked when it is opened read-only (`openTargetBackend`).
 */
export async function assertStoreExists(target: Target): Promise<void> {
  if (target.databaseUrl !== undefined) return; // opening the database checks (see openDatabase)
  if ((await statOrUndefined(target.storePath)) === undefined) {
    throw new HubError("E_NOT_FOUND", `no session store at ${target.storePath}`, { file: target.storePath });
  }
}

/** `HUB_SESSION_CACHE_TTL_MS` from the io's environment; unset or blank means the default. */
export function cacheTtlFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.HUB_SESSION_CACHE_TTL_MS;
  if (raw === undefined || raw.trim() === "") return undefined;
  const ttl = Number(raw);
  if (!Number.isFinite(ttl) || ttl < 0) {
    throw new HubError("E_INVALID_CONFIG", `env HUB_SESSION_CACHE_TTL_MS must be a number of ms >= 0, got ${describeValue(raw)}`);
  }
  return ttl;
}

/** Loaded on demand (listing and --help need no store object). `forceRecovery`: recover a damaged file even if it does not look like a store (`hub doctor --fix --force`). */
export async function openTargetStore(target: Target, io: CliIo, options: { readOnly: boolean; forceRecovery?: boolean }): Promise<SessionStore> {
  const ttl = cacheTtlFromEnv(io.env ?? process.env);
  const { openSessionStore } = await import("../backend/file/store/session-store.js");
  return openSessionStore({
    path: target.storePath,
    agentId: target.agentId,
    readOnly: options.readOnly,
    forceRecovery: options.forceRecovery === true,
    ...(ttl === undefined ? {} : { cacheTtlMs: ttl }),
    ...(io.now ? { now: io.now } : {}),
    onWarning: (warning) => io.stderr(`hub: warning: ${oneLine(warning.message)} [${warning.code}]\n`),
  });
}

/** A positive integer option, or a UsageError naming it. */
export function positiveIntOption(values: OptionValues, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const text = String(raw);
  if (!/^[1-9][0-9]*$/.test(text)) throw new UsageError(`--${name} must be a positive integer, got "${text}"`);
  return Number(text);
}

/**
 * The backend a command works on: the target's file store, or with `--database` (env
 * `HUB_DATABASE_URL`) Postgres, loaded only then. Read-only on Postgres means: the schema is
 * neither created nor migrated, and a database without one is `E_NOT_FOUND`.
 */
export async function openTargetBackend(target: Target, io: CliIo, options: { readOnly: boolean }): Promise<LiveBackend> {
  const url = target.databaseUrl;
  if (url !== undefined) return (await import("./database.js")).openDatabase({ ...target, databaseUrl: url }, io, options);
  const { openFileBackend } = await import("../backend/file/index.js");
  return openFileBackend(fileStoreOptions(target, io, options));
}

/** The options of the target's file store (`openFileBackend`, `readStoreSnapshot`): its path, the io's clock, warnings on stderr. */
export function fileStoreOptions(target: Target, io: CliIo, options: { readOnly: boolean }): SessionStoreOptions & { stateDir: string } {
  const ttl = cacheTtlFromEnv(io.env ?? process.env);
  return {
    path: target.storePath,
    stateDir: target.stateDir,
    agentId: target.agentId,
    readOnly: options.readOnly,
    ...(ttl === undefined ? {} : { cacheTtlMs: ttl }),
    ...(io.now ? { now: io.now } : {}),
    onWarning: (warning) => io.stderr(`hub: warning: ${oneLine(warning.message)} [${warning.code}]\n`),
  };
}
