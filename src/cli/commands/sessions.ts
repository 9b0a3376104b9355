/**
 * `hub sessions`: list, show, delete.
 */
import { parseSessionKey } from "../../keys/parse.js";
import type { SessionEntry } from "../../backend/shared/entry.js";
import type { LiveBackend, SessionRow as StoredRow } from "../../backend/types.js";
import { assertStoreExists, fileStoreOptions, openTargetBackend, positiveIntOption, resolveTarget, UsageError, type Command, type CommandContext, type CliIo, type OptionValues, type Target } from "../command.js";
import { printable, safeJson } from "../escape.js";
import { closest } from "../suggest.js";

const USAGE = `Usage:
  hub sessions [--limit N | --all] [filters] [--json]   list sessions, newest first
  hub sessions --watch [--limit N] [filters]            the list, live
  hub sessions show <key> [--json]                      one session's entry
  hub sessions delete <key...> [--dry-run]              remove sessions (their next message
                                                        starts afresh); transcripts are
                                                        archived as <file>.deleted.<timestamp>
  hub sessions reset <key...> [--dry-run]               the same as delete, and says which
                                                        sessions ended and what happens next

Options:
  --json               machine-readable output
  --limit N            list at most N sessions (a positive integer, default 100)
  --all                list every session
  --active <minutes>   only sessions active within this many minutes (a positive integer)
  --channel <name>     only sessions of this channel (telegram, slack...)
  --kind <kind>        only sessions of this kind (main, direct, group, channel, cron, hook...)
  --all-agents         every agent's store under the state dir (rows carry agentId in --json)
  --watch              keep the list live until Ctrl-C: a table redrawn in place on a
                       terminal, else one line per change (new, changed, reset, deleted)
  --dry-run            say what delete would do, change nothing
  --store, --agent, --state-dir, --config, --database   which store (see hub --help)
`;

/** The flags each subcommand takes; any other of this command's flags is a usage error. */
const FLAGS: Readonly<Record<"list" | "show" | "delete" | "reset", readonly string[]>> = {
  list: ["json", "active", "limit", "all", "channel", "kind", "all-agents", "watch"],
  show: ["json"],
  delete: ["dry-run"],
  reset: ["dry-run"],
};
const SUBCOMMANDS = ["show", "delete", "reset"] as const;
const DEFAULT_LIMIT = 100;

function rejectMeaninglessFlags(values: OptionValues, sub: keyof typeof FLAGS): void {
  for (const name of Object.keys(sessionsCommand.options)) {
    if (values[name] !== undefined && !FLAGS[sub].includes(name)) {
      throw new UsageError(`--${name} means nothing for ${sub === "list" ? '"sessions" (list)' : `"sessions ${sub}"`}`);
    }
  }
}

function suggestion(given: string): string {
  const match = closest(given, SUBCOMMANDS);
  return match === undefined ? "" : ` (did you mean "${match}"?)`;
}

/** Runs `fn` on the backend of an existing store (E_NOT_FOUND otherwise), then closes it. */
async function withBackend<T>(values: OptionValues, io: CliIo, readOnly: boolean, fn: (backend: LiveBackend) => Promise<T>): Promise<T> {
  const target = await resolveTarget(values, io);
  await assertStoreExists(target);
  const backend = await openTargetBackend(target, io, { readOnly });
  try {
    return await fn(backend);
  } finally {
    await backend.close();
  }
}

export interface SessionRow {
  key: string;
  kind: string;
  sessionId: string;
  updatedAt: number;
  ageMs: number;
  channel: string | null;
  chatType: string | null;
  displayName: string | null;
  label: string | null;
  model: string | null;
  provider: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  contextTokens: number | null;
}

const num = (value: unknown) => (typeof value === "number" ? value : null);
const str = (value: unknown) => (typeof value === "string" ? value : null);

export function toRow(key: string, entry: SessionEntry, now: number): SessionRow {
  const parsed = parseSessionKey(key);
  return {
    key,
    kind: parsed?.kind ?? "other",
    sessionId: entry.sessionId,
    updatedAt: entry.updatedAt,
    ageMs: Math.max(0, now - entry.updatedAt),
    channel: str(entry.channel) ?? parsed?.channel ?? str(entry.lastChannel),
    chatType: str(entry.chatType) ?? parsed?.chatType ?? null,
    displayName: str(entry.displayName),
    label: str(entry.label),
    model: str(entry.modelOverride) ?? str(entry.model),
    provider: str(entry.providerOverride) ?? str(entry.modelProvider),
    inputTokens: num(entry.inputTokens),
    outputTokens: num(entry.outputTokens),
    totalTokens: num(entry.totalTokens),
    contextTokens: num(entry.contextTokens),
  };
}

function listLimit(values: OptionValues): number | undefined {
  if (values.all === true && values.limit !== undefined) throw new UsageError("--limit and --all exclude each other");
  return values.all === true ? undefined : (positiveIntOption(values, "limit") ?? DEFAULT_LIMIT);
}

/** The stores to list: the one the options name, or with --all-agents every agent's. */
async function listTargets(values: OptionValues, io: CliIo): Promise<Target[]> {
  const target = await resolveTarget(values, io);
  if (values["all-agents"] !== true) {
    await assertStoreExists(target);
    return [target];
  }
  if (target.databaseUrl !== undefined) throw new UsageError("--all-agents lists the agents' stores of a state dir: it cannot be combined with --database");
  if (values.store !== undefined || values.agent !== undefined) {
    throw new UsageError("--all-agents lists every agent's store: it cannot be combined with --store or --agent");
  }
  return (await import("../agent-stores.js")).agentTargets(target);
}

/**
 * Every session of one store, newest first. A file store is read once into a snapshot that
 * is this command's alone (no backend, no lock, no per-entry copies: the listing only reads);
 * Postgres through its backend.
 */
async function readSessions(target: Target, io: CliIo): Promise<{ agentId: string; location: string; sessions: StoredRow[] }> {
  if (target.databaseUrl === undefined) {
    const { readStoreSnapshot } = await import("../../backend/file/store/store-snapshot.js");
    const snapshot = await readStoreSnapshot(fileStoreOptions(target, io, { readOnly: true }));
    return { agentId: snapshot.agentId, location: snapshot.path, sessions: snapshot.sessions };
  }
  const backend = await openTargetBackend(target, io, { readOnly: true });
  try {
    return { agentId: backend.agentId, location: backend.location, sessions: (await backend.list()).sessions };
  } finally {
    await backend.close();
  }
}

async function list({ values, io }: CommandContext): Promise<number> {
  const activeMinutes = positiveIntOption(values, "active");
  const limit = listLimit(values);
  const targets = await listTargets(values, io);
  const allAgents = values["all-agents"] === true;
  const now = (io.now ?? Date.now)();
  const matches = (row: SessionRow) =>
    (activeMinutes === undefined || row.ageMs <= activeMinutes * 60_000) && (values.channel === undefined || row.channel === values.channel) && (values.kind === undefined || row.kind === values.kind);
  const matching: SessionRow[] = [];
  const paths: string[] = [];
  for (const target of targets) {
    const { agentId, location, sessions } = await readSessions(target, io);
    for (let i = 0; i < sessions.length; i++) {
      const { key, entry } = sessions[i] as StoredRow;
      const row = allAgents ? { agentId, ...toRow(key, entry, now) } : toRow(key, entry, now);
      if (matches(row)) matching.push(row);
    }
    paths.push(location);
  }
  // Each store lists newest first already: only several stores need merging.
  if (targets.length > 1) matching.sort((a, b) => b.updatedAt - a.updatedAt);
  const rows = limit === undefined ? matching : matching.slice(0, limit);
  if (values.json) {
    const where = allAgents ? { stores: paths } : { path: paths[0] };
    // The newline on its own: appended, it would copy megabytes of JSON into a new string.
    io.stdout(safeJson({ ...where, count: rows.length, total: matching.length, limit: limit ?? null, activeMinutes: activeMinutes ?? null, sessions: rows }));
    io.stdout("\n");
    return 0;
  }
  const agents = targets.map((t) => printable(t.agentId ?? "main")).join(", ");
  const where = allAgents ? `Session stores: ${targets.length} (agents ${agents}) under ${printable(targets[0]?.stateDir ?? "")}/agents` : `Session store: ${printable(paths[0] ?? "")}`;
  const of = rows.length < matching.length ? ` of ${matching.length}` : "";
  io.stdout(`${where}\nSessions listed: ${rows.length}${of}${activeMinutes ? ` (active within ${activeMinutes}m)` : ""}\n`);
  if (rows.length === 0) {
    io.stdout("No sessions found.\n");
    return 0;
  }
  // Loaded only for people: --json needs no column widths.
  const { renderSessionsTable } = await import("../sessions-table.js");
  io.stdout(renderSessionsTable(rows, 80, (await (await import("../colour.js")).colours(io)).bold));
  const hidden = matching.length - rows.length;
  if (hidden > 0) io.stdout(`${hidden} more not shown (newest ${rows.length} listed): --limit N or --all\n`);
  return 0;
}

async function show({ values, positionals, io }: CommandContext): Promise<number> {
  const key = positionals[1];
  if (key === undefined || positionals.length > 2) throw new UsageError("sessions show takes exactly one <key>");
  const { entry, location } = await withBackend(values, io, true, async (backend) => ({ entry: await backend.get(key), location: backend.location }));
  if (!entry) {
    io.stderr(`hub sessions: no session "${printable(key)}" in ${printable(location)}\n`);
    return 2;
  }
  if (values.json) io.stdout(`${safeJson({ key, entry })}\n`);
  else {
    const row = toRow(key, entry, (io.now ?? Date.now)());
    const { formatAge } = await import("../format.js");
    io.stdout(`${printable(key)}\n  kind ${row.kind}, last active ${formatAge(row.ageMs)}\n${safeJson(entry).replace(/^/gm, "  ")}\n`);
  }
  return 0;
}

export const sessionsCommand: Command = {
  name: "sessions",
  usage: USAGE,
  positionals: true,
  options: {
    json: { type: "boolean" },
    active: { type: "string" },
    limit: { type: "string" },
    all: { type: "boolean" },
    channel: { type: "string" },
    kind: { type: "string" },
    "all-agents": { type: "boolean" },
    "dry-run": { type: "boolean" },
    watch: { type: "boolean" },
  },
  run(context) {
    const given = context.positionals[0];
    const sub = given === undefined ? "list" : SUBCOMMANDS.find((name) => name === given);
    if (sub === undefined) throw new UsageError(`unknown sessions subcommand "${given}"${suggestion(String(given))}`);
    rejectMeaninglessFlags(context.values, sub);
    if (sub === "show") return show(context);
    if (sub === "delete" || sub === "reset") return import("./sessions-delete.js").then(({ deleteSessions }) => deleteSessions(context, sub));
    return context.values.watch === true ? import("./sessions-watch.js").then(({ runWatch }) => runWatch(context)) : list(context);
  },
};
