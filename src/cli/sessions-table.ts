/**
 * The `hub sessions` table within 80 columns. Keys are shown whole, never cut (they are
 * copied into the next command): when the longest key does not fit on one line with the
 * other columns, each key gets its own line and the details follow on an indented line.
 * The same happens when the name would get fewer than 16 columns. Widths count terminal
 * columns (wide characters take two). Pure.
 */
import { printable } from "./escape.js";
import { formatAge, formatTokens } from "./format.js";
import type { SessionRow } from "./commands/sessions.js";
import { displayWidth, padToWidth, truncateToWidth } from "./width.js";

const GAP = "  ";
const INDENT = "  ";
const MODEL_MAX = 20;
/** The name gets at least this many columns (or its whole width) on a one-line row; else two lines. */
const NAME_MIN = 16;

/** `2.0k/32k (6%)`: the total, else input + output (as clawdbot does), and its share of the context. */
export function tokensCell(row: SessionRow): string {
  const total = row.totalTokens ?? (row.inputTokens === null && row.outputTokens === null ? null : (row.inputTokens ?? 0) + (row.outputTokens ?? 0));
  if (total === null) return "-";
  if (row.contextTokens === null || row.contextTokens <= 0) return formatTokens(total);
  const share = Math.min(999, Math.round((total / row.contextTokens) * 100));
  return `${formatTokens(total)}/${formatTokens(row.contextTokens)} (${share}%)`;
}

/** Left-aligned cells; the last one is cut to what is left of `width` (it is never a key). */
function line(cells: string[], widths: number[], width: number, indent = ""): string {
  const fixed = cells.slice(0, -1).map((c, i) => padToWidth(c, widths[i] ?? 0) + GAP);
  const used = displayWidth(indent + fixed.join(""));
  return `${indent}${fixed.join("")}${truncateToWidth(cells.at(-1) ?? "", Math.max(1, width - used))}`.trimEnd();
}

function columnWidths(table: string[][]): number[] {
  const widths: number[] = [];
  for (const cells of table) cells.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, displayWidth(c))));
  return widths;
}

/** `bold` styles the header (colours on a terminal); the default leaves it plain. */
export function renderSessionsTable(rows: readonly SessionRow[], width = 80, bold: (text: string) => string = (text) => text): string {
  const header = ["KIND", "AGE", "MODEL", "TOKENS", "NAME"];
  const details = rows.map((r) => [
    r.kind,
    r.updatedAt === 0 ? "unknown" : formatAge(r.ageMs), // an openclaw entry without updatedAt reads as 0
    truncateToWidth(printable(r.model ?? "-"), MODEL_MAX),
    tokensCell(r),
    printable(r.displayName ?? r.label ?? ""),
  ]);
  const keys = rows.map((r) => printable(r.key));
  const widths = columnWidths([header, ...details].map((cells) => cells.slice(0, -1)));
  const keyWidth = Math.max(3, ...keys.map(displayWidth));
  const nameWidth = Math.max("NAME".length, Math.min(NAME_MIN, ...details.map((d) => displayWidth(d.at(-1) ?? ""))));
  const restWidth = widths.reduce((sum, w) => sum + w + GAP.length, 0) + nameWidth;
  if (keyWidth + GAP.length + restWidth <= width) {
    const all = [keyWidth, ...widths];
    return `${[bold(line(["KEY", ...header], all, width)), ...details.map((d, i) => line([keys[i] ?? "", ...d], all, width))].join("\n")}\n`;
  }
  const out = [bold("KEY"), bold(line(header, widths, width, INDENT))];
  details.forEach((d, i) => out.push(keys[i] ?? "", line(d, widths, width, INDENT)));
  return `${out.join("\n")}\n`;
}
