/**
 * The `hub` CLI: a thin shell over the library. `main(argv, io)` returns the exit code:
 * 0 success, 1 usage error, 2 runtime failure. Errors are one line on stderr.
 */
import { readFileSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { HubError } from "../errors.js";
import { COMMON_OPTIONS, UsageError, type CliIo, type Command } from "./command.js";
import { compactCommand } from "./commands/compact.js";
import { configCommand } from "./commands/config.js";
import { dashboardCommand } from "./commands/dashboard.js";
import { doctorCommand } from "./commands/doctor.js";
import { exportCommand } from "./commands/export.js";
import { gatewaysCommand } from "./commands/gateways.js";
import { importCommand } from "./commands/import.js";
import { oneLine } from "./escape.js";
import { closest } from "./suggest.js";
import { pruneCommand } from "./commands/prune.js";
import { sessionsCommand } from "./commands/sessions.js";
import { statusCommand } from "./commands/status.js";
import { transcriptCommand } from "./commands/transcript.js";

export type { CliIo } from "./command.js";

const COMMANDS: readonly Command[] = [sessionsCommand, transcriptCommand, statusCommand, doctorCommand, pruneCommand, compactCommand, dashboardCommand, importCommand, exportCommand, gatewaysCommand, configCommand];

const USAGE = `Usage: hub <command> [options]

Inspect and repair session-hub (and clawdbot) session stores.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(12)}${c.summary}`).join("\n")}

Options for every command:
  --store <path>       sessions.json to use (a clawdbot store works as it is)
  --agent <id>         agent whose store to use (default: main)
  --state-dir <dir>    state directory (default: $HUB_STATE_DIR or ~/.hub)
  --config <file>      config file (default: <state-dir>/hub.json5 when present)
  --database <url>     the sessions are in Postgres (default: $HUB_DATABASE_URL), not in files
  --schema <name>      the Postgres schema (default: $HUB_DATABASE_SCHEMA or session_hub)
  -h, --help           help for a command
  -v, --version        print the version

Exit codes: 0 success, 1 usage error, 2 runtime failure.
`;

const SHORT_USAGE = `Usage: hub <command> [options]
Commands: ${COMMANDS.map((c) => c.name).join(", ")}
Run "hub --help" for more.
`;

/** The first paragraph of a command's usage (its synopsis), and where the rest is. */
function shortUsage(command: Command): string {
  return `${command.usage.split("\n\n")[0]}\nRun "hub ${command.name} --help" for more.\n`;
}

function didYouMean(input: string, candidates: readonly string[], quote: (s: string) => string): string {
  const match = closest(input, candidates);
  return match === undefined ? "" : ` (did you mean ${quote(match)}?)`;
}

/**
 * A first, lenient pass over the arguments: whether help was asked for (it wins over any
 * mistake), else the first option the command does not know, named with a suggestion.
 */
function precheck(args: string[], options: NonNullable<ParseArgsConfig["options"]>): "help" | undefined {
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  const given = tokens.filter((t) => t.kind === "option");
  if (given.some((t) => t.name === "help")) return "help";
  const unknown = given.find((t) => !Object.hasOwn(options, t.name));
  if (unknown === undefined) return undefined;
  const known = Object.keys(options).map((name) => `--${name}`);
  throw new UsageError(`unknown option ${unknown.rawName}${didYouMean(unknown.rawName, known, (s) => s)}`);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(USAGE);
    return 0;
  }
  if (name === "--version" || name === "-v") {
    io.stdout(`${version()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const names = COMMANDS.map((c) => c.name);
    io.stderr(`hub: unknown command "${oneLine(name)}"${didYouMean(name, names, (s) => `"${s}"`)}\n\n${SHORT_USAGE}`);
    return 1;
  }
  try {
    const options = { ...COMMON_OPTIONS, ...command.options };
    if (precheck([...rest], options) === "help") {
      io.stdout(command.usage);
      return 0;
    }
    const { values, positionals } = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
    // `hub prune dry-run` (dashes forgotten) must not prune.
    if (command.positionals !== true && positionals.length > 0) {
      throw new UsageError(`${command.name} takes no arguments, got "${positionals[0]}"`);
    }
    return await command.run({ values: values as Record<string, string | boolean | undefined>, positionals, io });
  } catch (error) {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`hub ${command.name}: ${oneLine((error as Error).message)}\n\n${shortUsage(command)}`);
      return 1;
    }
    if (error instanceof HubError) {
      const hint = error.code === "E_CORRUPT_STORE" && command.name !== "doctor" ? ' (run "hub doctor --fix" to recover it)' : error.code === "E_NOT_A_STORE" && command.name === "doctor" ? " (add --force to quarantine it anyway)" : "";
      io.stderr(`hub ${command.name}: ${oneLine(error.message)}${hint} [${error.code}]\n`);
      return 2;
    }
    io.stderr(`hub ${command.name}: ${oneLine(error instanceof Error ? error.message : String(error))}\n`);
    return 2;
  }
}
