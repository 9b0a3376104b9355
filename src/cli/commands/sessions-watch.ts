/**
 * `hub sessions --watch`: the session list, live. On a terminal the table is redrawn in
 * place (an alternate screen, restored on exit) as sessions change and as ages tick;
 * otherwise (a pipe, a log) the table is printed once and then one line per change:
 * `<time>  new|changed|reset|deleted  <key>  <details>`. Read-only; ends on Ctrl-C.
 */
import type { Change, LiveBackend } from "../../backend/types.js";
import type { SessionEntry } from "../../backend/shared/entry.js";
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

/** The list as last seen, and how it is shown: redrawn on a terminal, else line by line. */
class SessionsView {
  private readonly known = new Map<string, SessionEntry>();
  private started = false;
  private redrawTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly backend: LiveBackend,
    private readonly filters: WatchFilters,
    private readonly io: CliIo,
    private readonly now: () => number,
  ) {}

  async apply(change: Change): Promise<void> {
    if (change.type === "resync") await this.resync();
    else if (change.type === "session") this.set(change.key, change.entry ?? undefined);
  }

  redraw(): void {
    if (this.redrawTimer === undefined) this.redrawTimer = setTimeout(() => this.draw(), REDRAW_MS);
  }

  stop(): void {
    clearTimeout(this.redrawTimer);
  }

  private draw(): void {
    this.redrawTimer = undefined;
    if (this.io.terminal === undefined) return;
    const { columns, rows: height } = this.io.terminal();
    const rows = rowsOf(this.known, this.filters, this.now());
    const shown = rows.slice(0, this.filters.limit ?? rows.length);
    const head = `Session store: ${printable(this.backend.location)}\nSessions: ${rows.length} · live · ${new Date(this.now()).toLocaleTimeString()} · Ctrl-C to quit\n\n`;
    const table = shown.length === 0 ? "No sessions found.\n" : renderSessionsTable(shown, columns);
    const lines = table.split("\n").slice(0, Math.max(1, height - 4));
    this.io.stdout(`${HOME_CLEAR}${head}${lines.join("\n")}`);
  }

  private set(key: string, entry: SessionEntry | undefined): void {
    const before = this.known.get(key);
    if (entry === undefined) this.known.delete(key);
    else this.known.set(key, entry);
    if (this.io.terminal !== undefined) return this.redraw();
    // Lines ignore --active: a session going quiet is no change.
    const filters = { ...this.filters, activeMinutes: undefined };
    const was = before !== undefined && matches(toRow(key, before, this.now()), filters);
    const is = entry !== undefined && matches(toRow(key, entry, this.now()), filters);
    if (was || is) this.io.stdout(changeLine(key, before, entry, this.now()));
  }

  private async resync(): Promise<void> {
    const current = new Map((await this.backend.list()).sessions.map(({ key, entry }) => [key, entry]));
    if (this.started) {
      for (const key of new Set([...this.known.keys(), ...current.keys()])) {
        if (JSON.stringify(this.known.get(key)) !== JSON.stringify(current.get(key))) this.set(key, current.get(key));
      }
      return;
    }
    this.started = true;
    for (const [key, entry] of current) this.known.set(key, entry);
    if (this.io.terminal !== undefined) return this.draw();
    const rows = rowsOf(this.known, this.filters, this.now()).slice(0, this.filters.limit);
    this.io.stdout(`Session store: ${printable(this.backend.location)}\n${rows.length === 0 ? "No sessions found.\n" : renderSessionsTable(rows)}Watching for changes (Ctrl-C to stop)\n`);
  }
}

export async function watchSessions(target: Target, filters: WatchFilters, io: CliIo): Promise<number> {
  const backend = await openTargetBackend(target, io, { readOnly: true });
  const { signal, release } = stopSignal(io);
  const view = new SessionsView(backend, filters, io, io.now ?? Date.now);
  if (io.terminal !== undefined) io.stdout(ENTER);
  const ticker = io.terminal === undefined ? undefined : setInterval(() => view.redraw(), TICK_MS);
  try {
    for await (const change of backend.watch({ signal })) await view.apply(change);
    return 0;
  } finally {
    clearInterval(ticker);
    view.stop();
    if (io.terminal !== undefined) io.stdout(LEAVE);
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
