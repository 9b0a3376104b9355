/**
 * A plain table within the terminal's width: left-aligned columns as wide as their widest
 * cell (wide characters count two), two spaces apart; only the last column is cut, so ids
 * and keys in the others stay whole and copyable (or the last one wraps). Pure.
 */
import { displayWidth, padToWidth, truncateToWidth } from "./width.js";

const GAP = "  ";
const WIDTH = 80;

export interface TableOptions {
  /** Terminal columns (default 80). */
  width?: number;
  /** A last cell too long for its row goes whole on the next line, indented, instead of being cut. */
  wrapLast?: boolean;
}

/** Cells must already be printable (escaped). */
export function tableLines(header: readonly string[], rows: ReadonlyArray<readonly string[]>, options: TableOptions = {}): string[] {
  const width = options.width ?? WIDTH;
  const widths: number[] = [];
  for (const cells of [header, ...rows]) cells.slice(0, -1).forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, displayWidth(c))));
  return [header, ...rows].map((cells) => {
    const fixed = cells.slice(0, -1).map((c, i) => padToWidth(c, widths[i] ?? 0) + GAP).join("");
    const last = cells.at(-1) ?? "";
    const room = width - displayWidth(fixed);
    if (options.wrapLast === true && displayWidth(last) > room) return `${fixed.trimEnd()}\n${GAP}${GAP}${truncateToWidth(last, width - 2 * GAP.length)}`;
    return `${fixed}${truncateToWidth(last, Math.max(last.length === 0 ? 0 : 8, room))}`.trimEnd();
  });
}

/** The table as text, its header styled by `bold` (colours on a terminal). */
export function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, bold: (text: string) => string, options: TableOptions = {}): string {
  const [head = "", ...body] = tableLines(header, rows, options);
  return `${[bold(head), ...body].join("\n")}\n`;
}
