/**
 * `hub config check [<file>]`: validates a config file and prints the effective
 * configuration, each value with where it came from (the file or the default).
 */
import path from "node:path";
import { CONFIG_FILE_NAME } from "../../config/load.js";
import type { EffectiveValue } from "../../config/effective.js";
import { resolveStateDir } from "../../backend/file/store/paths.js";
import { UsageError, type Command, type CommandContext } from "../command.js";
import { oneLine, printable, safeJson } from "../escape.js";
import { closest } from "../suggest.js";
import { colours } from "../colour.js";
import { renderTable } from "../table.js";

const USAGE = `Usage: hub config check [<file>] [--json]

Validates a config file (<file>, else --config, else <state-dir>/hub.json5) and prints the
effective configuration: every value with where it came from, the file or the default.
Values a gateway passes in code (createHub({ config })) are not visible to the CLI.
Exit 1 when the file is invalid, with one line per error.

Options:
  --json               machine-readable output
  --config <file>      the file to check (the same as <file>)
  --state-dir <dir>    where hub.json5 is looked for (default: $HUB_STATE_DIR or ~/.hub)
`;

const IN_CODE = "Values set in code (createHub({ config })) are not visible to the CLI.\n";

function valueCell(v: EffectiveValue): string {
  const value = safeJson(v.value, 0);
  return printable(v.note === undefined ? value : `${value} (${v.note})`);
}

/** The file to check, and whether it may be missing (only the default one may). */
function fileToCheck({ values, positionals, io }: CommandContext): { file: string; optional: boolean } {
  if (positionals.length > 2) throw new UsageError("config check takes at most one <file>");
  const given = positionals[1] ?? (values.config as string | undefined);
  if (positionals[1] !== undefined && values.config !== undefined) throw new UsageError("give the file once: <file> or --config");
  if (given !== undefined) return { file: path.resolve(given), optional: false };
  return { file: path.join(resolveStateDir(values["state-dir"] as string | undefined, io.env ?? process.env), CONFIG_FILE_NAME), optional: true };
}

async function check(context: CommandContext): Promise<number> {
  const { io, values } = context;
  const { file, optional } = fileToCheck(context);
  const { checkConfigFile } = await import("../../config/check.js");
  const result = await checkConfigFile(file, { optional });
  if (values.json === true) {
    io.stdout(`${safeJson({ ...result, inCode: "not visible to the CLI" })}\n`);
    return result.valid ? 0 : 1;
  }
  if (!result.valid) {
    io.stderr(`hub config: ${oneLine(file)} is invalid:\n${result.errors.map((e) => `  ${oneLine(e)}\n`).join("")}`);
    return 1;
  }
  const fromFile = result.values.filter((v) => v.source === "file").length;
  const where = result.exists ? `Config: ${printable(file)} (valid; ${fromFile} value${fromFile === 1 ? "" : "s"} set)` : `Config: no file at ${printable(file)}: every value is the default`;
  io.stdout(`${where}\n${IN_CODE}`);
  if (result.ignored.length > 0) io.stdout(`Ignored (unknown to session-hub): ${result.ignored.map((k) => printable(k)).join(", ")}\n`);
  io.stdout("\n");
  io.stdout(renderTable(["SETTING", "FROM", "VALUE"], result.values.map((v) => [printable(v.path), v.source, valueCell(v)]), (await colours(io)).bold, { wrapLast: true }));
  return 0;
}

export const configCommand: Command = {
  name: "config",
  usage: USAGE,
  positionals: true,
  options: { json: { type: "boolean" } },
  run(context) {
    const given = context.positionals[0];
    if (given !== "check") {
      if (given === undefined) throw new UsageError('config needs a subcommand: "check"');
      const match = closest(given, ["check"]);
      throw new UsageError(`unknown config subcommand "${given}"${match === undefined ? "" : ` (did you mean "${match}"?)`}`);
    }
    if (context.values.store !== undefined || context.values.agent !== undefined || context.values.database !== undefined) {
      throw new UsageError("--store, --agent and --database mean nothing for config check");
    }
    return check(context);
  },
};
