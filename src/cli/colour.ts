/**
 * Colours for the CLI's human-readable output (picocolors), on only where they help: stdout
 * is a terminal and `NO_COLOR` is not set, or `FORCE_COLOR` asks for them (`FORCE_COLOR=0`
 * turns them off). Decided from the io, not the process, so tests and pipes see plain text.
 * picocolors is loaded only when colours are on: a pipe or `--json` never pays for it.
 */
import type { CliIo } from "./command.js";

/** The styles the CLI uses. */
export interface Colours {
  bold: (text: string) => string;
}

const PLAIN: Colours = { bold: (text) => text };

/** Whether `io`'s stdout gets colours (https://no-color.org, https://force-color.org). */
export function coloursEnabled(io: CliIo): boolean {
  const env = io.env ?? process.env;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false";
  return io.terminal !== undefined && env.TERM !== "dumb";
}

export async function colours(io: CliIo): Promise<Colours> {
  if (!coloursEnabled(io)) return PLAIN;
  const { default: picocolors } = await import("picocolors");
  return picocolors.createColors(true);
}
