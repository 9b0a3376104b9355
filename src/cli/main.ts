/**
 * The `hub` CLI: a thin shell over the library. `main(argv, io)` returns the exit code:
 * 0 success, 1 usage error, 2 runtime failure. Errors are one line on stderr.
 */
import { readFileSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { HubError } from "../errors.js";
import { COMMON_OPTIONS, UsageError, type CliIo, type Command } from "./command.js";
import { oneLine } from "./escape.js";
import { closest } from "./suggest.js";

export type { CliIo } from "./command.js";

/** A command as `hub --help` lists it; its module is loaded only when it runs (startup stays lean). */
interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}

const COMMANDS: readonly CommandEntry[] = [
  { name: "sessions", summary: "list, show, delete or reset sessions", load: async () => (await import("./commands/sessions.js")).sessionsCommand },
  { name: "transcript", summary: "a session's newest messages", load: async () => (await import("./commands/transcript.js")).transcriptCommand },
  { name: "status", summary: "the store at a glance", load: async () => (await import("./commands/status.js")).statusCommand },
  { name: "doctor", summary: "find and repair problems", load: async () => (await import("./commands/doctor.js")).doctorCommand },
  { name: "prune", summary: "remove old sessions, archive their transcripts", load: async () => (await import("./commands/prune.js")).pruneCommand },
  { name: "compact", summary: "fold the activity clock journal into sessions.json", load: async () => (await import("./commands/compact.js")).compactCommand },
  { name: "dashboard", summary: "a live web dashboard (prints its URL)", load: async () => (await import("./commands/dashboard.js")).dashboardCommand },
  { name: "import", summary: "copy a file state dir into Postgres (--follow keeps mirroring)", load: async () => (await import("./commands/import.js")).importCommand },
  { name: "export", summary: "write a transcript (JSONL) or a whole state dir from Postgres", load: async () => (await import("./commands/export.js")).exportCommand },
  { name: "gateways", summary: "list the registered gateways", load: async () => (await import("./commands/gateways.js")).gatewaysCommand },
  { name: "config", summary: "check a config file and show the effective config", load: async () => (await import("./commands/config.js")).configCommand },
];

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
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    const names = COMMANDS.map((c) => c.name);
    io.stderr(`hub: unknown command "${oneLine(name)}"${didYouMean(name, names, (s) => `"${s}"`)}\n\n${SHORT_USAGE}`);
    return 1;
  }
  const command = await entry.load();
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
