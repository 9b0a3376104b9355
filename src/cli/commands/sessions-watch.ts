/**
 * `hub sessions --watch`: the session list, live. On a terminal the table is redrawn in
 * place (an alternate screen, restored on exit) as sessions change and as ages tick;
 * otherwise (a pipe, a log) the table is printed once and then one line per change:
 * `<time>  new|changed|reset|deleted  <key>  <details>`. Read-only; ends on Ctrl-C.
 */
import type { SessionEntry } from "../../store/entry.js";
import { assertStoreExists, positiveIntOption, resolveTarget, UsageError, type CliIo, type CommandContext, type Target } from "../command.js";
import { printable } from "../escape.js";
import { openTargetBackend, stopSignal } from "../live.js";
import { renderSessionsTable, tokensCell } from "../sessions-table.js";
import { toRow, type SessionRow } from "./sessions.js";

export interface WatchFilters {
  activeMinutes: number | undefined;
  channel: string | undefined;
  kind: string | undefined;
  limit: number | undefined;
}

const REDRAW_MS = 200;
const TICK_MS = 30_000;
const ENTER = "\u001b[?1049h\u001b[?25l";
const LEAVE = "\u001b[?25h\u001b[?1049l";
const HOME_CLEAR = "\u001b[H\u001b[2J";

function matches(row: SessionRow, filters: WatchFilters): boolean {
  if (filters.activeMinutes !== undefined && row.ageMs > filters.activeMinutes * 60_000) return false;
  if (filters.channel !== undefined && row.channel !== filters.channel) return false;
  return filters.kind === undefined || row.kind === filters.kind;
}

function rowsOf(known: ReadonlyMap<string, SessionEntry>, filters: WatchFilters, now: number): SessionRow[] {
  return [...known].map(([key, entry]) => toRow(key, entry, now)).filter((row) => matches(row, filters)).sort((a, b) => b.updatedAt - a.updatedAt || (a.key < b.key ? -1 : 1));
}

/** One plain line for a change of `key` from `before` to `after`. */
function changeLine(key: string, before: SessionEntry | undefined, after: SessionEntry | undefined, now: number): string {
  const event = after === undefined ? "deleted" : before === undefined ? "new" : before.sessionId !== after.sessionId ? "reset" : "changed";
  const details = after === undefined ? [] : (() => {
    const row = toRow(key, after, now);
    return [row.channel ?? "-", row.model ?? "-", tokensCell(row), row.displayName ?? row.label ?? ""].map((cell) => printable(cell));
  })();
  return `${[new Date(now).toISOString(), event.padEnd(7), printable(key), ...details].join("  ").trimEnd()}\n`;
}

export async function watchSessions(target: Target, filters: WatchFilters, io: CliIo): Promise<number> {
  const { signal, release } = stopSignal(io);
  const backend = openTargetBackend(target, io, { readOnly: true });
  const now = io.now ?? Date.now;
  const terminal = io.terminal;
  const known = new Map<string, SessionEntry>();
  let started = false;
  let redrawTimer: NodeJS.Timeout | undefined;

  const draw = () => {
    redrawTimer = undefined;
    if (terminal === undefined) return;
    const { columns, rows: height } = terminal();
    const rows = rowsOf(known, filters, now());
    const shown = rows.slice(0, filters.limit ?? rows.length);
    const head = `Session store: ${printable(backend.path)}\nSessions: ${rows.length} · live · ${new Date(now()).toLocaleTimeString()} · Ctrl-C to quit\n\n`;
    const table = shown.length === 0 ? "No sessions found.\n" : renderSessionsTable(shown, columns);
    const lines = table.split("\n").slice(0, Math.max(1, height - 4));
    io.stdout(`${HOME_CLEAR}${head}${lines.join("\n")}`);
  };
  const redraw = () => {
    if (redrawTimer === undefined) redrawTimer = setTimeout(draw, REDRAW_MS);
  };
  const apply = (key: string, entry: SessionEntry | undefined) => {
    const before = known.get(key);
    if (entry === undefined) known.delete(key);
    else known.set(key, entry);
    if (terminal !== undefined) return redraw();
    const row = entry === undefined ? undefined : toRow(key, entry, now());
    const shown = (before !== undefined && matches(toRow(key, before, now()), { ...filters, activeMinutes: undefined })) || (row !== undefined && matches(row, { ...filters, activeMinutes: undefined }));
    if (shown) io.stdout(changeLine(key, before, entry, now()));
  };
  const resync = async () => {
    const current = new Map((await backend.list()).sessions.map(({ key, entry }) => [key, entry]));
    if (!started) {
      started = true;
      for (const [key, entry] of current) known.set(key, entry);
      if (terminal !== undefined) return draw();
      const rows = rowsOf(known, filters, now()).slice(0, filters.limit);
      io.stdout(`Session store: ${printable(backend.path)}\n${rows.length === 0 ? "No sessions found.\n" : renderSessionsTable(rows)}Watching for changes (Ctrl-C to stop)\n`);
      return;
    }
    for (const key of new Set([...known.keys(), ...current.keys()])) {
      if (JSON.stringify(known.get(key)) !== JSON.stringify(current.get(key))) apply(key, current.get(key));
    }
  };

  if (terminal !== undefined) io.stdout(ENTER);
  const ticker = terminal === undefined ? undefined : setInterval(redraw, TICK_MS);
  try {
    for await (const change of backend.watch({ signal })) {
      if (change.type === "resync") await resync();
      else if (change.type === "session") apply(change.key, change.entry ?? undefined);
    }
    return 0;
  } finally {
    clearInterval(ticker);
    clearTimeout(redrawTimer);
    if (terminal !== undefined) io.stdout(LEAVE);
    release();
    await backend.close();
  }
}

/** `hub sessions --watch [--limit N] [--active M] [--channel C] [--kind K]`. */
export async function runWatch({ values, io }: CommandContext): Promise<number> {
  for (const name of ["json", "all", "all-agents"]) if (values[name] !== undefined) throw new UsageError(`--${name} cannot be combined with --watch`);
  const filters = {
    activeMinutes: positiveIntOption(values, "active"),
    channel: values.channel as string | undefined,
    kind: values.kind as string | undefined,
    limit: positiveIntOption(values, "limit"),
  };
  const target = await resolveTarget(values, io);
  await assertStoreExists(target);
  return watchSessions(target, filters, io);
}
