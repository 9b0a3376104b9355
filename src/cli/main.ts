/**
 * The `hub` CLI: a thin shell over the library. `main(argv, io)` returns the exit code:
 * 0 success, 1 usage error, 2 runtime failure. Errors are one line on stderr.
 */
import { readFileSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { HubError } from "../errors.js";
import { COMMON_OPTIONS, UsageError, type CliIo, type Command } from "./command.js";
import { doctorCommand } from "./commands/doctor.js";
import { oneLine } from "./escape.js";
import { pruneCommand } from "./commands/prune.js";
import { sessionsCommand } from "./commands/sessions.js";
import { statusCommand } from "./commands/status.js";
import { transcriptCommand } from "./commands/transcript.js";

export type { CliIo } from "./command.js";

const COMMANDS: readonly Command[] = [sessionsCommand, transcriptCommand, statusCommand, doctorCommand, pruneCommand];

const USAGE = `Usage: hub <command> [options]

Inspect and repair session-hub (and clawdbot) session stores.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(12)}${c.summary}`).join("\n")}

Options for every command:
  --store <path>       sessions.json to use (a clawdbot store works as it is)
  --agent <id>         agent whose store to use (default: main)
  --state-dir <dir>    state directory (default: $HUB_STATE_DIR or ~/.hub)
  --config <file>      config file (default: <state-dir>/hub.json5 when present)
  -h, --help           help for a command
  -v, --version        print the version

Exit codes: 0 success, 1 usage error, 2 runtime failure.
`;

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
    io.stderr(`hub: unknown command "${oneLine(name)}"\n\n${USAGE}`);
    return 1;
  }
  try {
    const config: ParseArgsConfig = {
      args: [...rest],
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    };
    const { values, positionals } = parseArgs(config);
    if (values.help) {
      io.stdout(command.usage);
      return 0;
    }
    // `hub prune dry-run` (dashes forgotten) must not prune.
    if (command.positionals !== true && positionals.length > 0) {
      throw new UsageError(`${command.name} takes no arguments, got "${positionals[0]}"`);
    }
    return await command.run({ values: values as Record<string, string | boolean | undefined>, positionals, io });
  } catch (error) {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`hub ${command.name}: ${oneLine((error as Error).message)}\n\n${command.usage}`);
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
