/**
 * `hub gateways`: the gateway registry (the message sources a deployment runs), read-only.
 */
import type { GatewayRecord } from "../../backend/file/gateways/gateways.js";
import { statOrUndefined } from "../../backend/file/fs/fs-util.js";
import { HubError } from "../../errors.js";
import { openTargetBackend, resolveTarget, UsageError, type Command, type CommandContext } from "../command.js";
import { printable, safeJson } from "../escape.js";
import { formatAge } from "../format.js";
import { colours } from "../colour.js";
import { renderTable } from "../table.js";

const USAGE = `Usage: hub gateways [--active] [--json]

Lists the gateways registered in the state dir (<state-dir>/gateways.json; on Postgres, the
agent's registry): id, channel and account, when each last registered (a gateway that
registers again at start or on a timer shows how long ago it was last seen), and whether it
is active or removed. Oldest registration first.

Options:
  --active    only active gateways
  --json      machine-readable output
  --state-dir <dir>    the state dir (default: $HUB_STATE_DIR or ~/.hub)
  --database <url>     the registry is in Postgres; --agent <id> picks the agent
`;

export interface GatewayRow {
  gatewayId: string;
  name: string;
  channel: string;
  accountId: string | null;
  active: boolean;
  registeredAt: number;
  lastSeenAt: number;
  lastSeenAgeMs: number;
  removedAt: number | null;
}

/** A registry record as a row: everything in the file is checked, nothing trusted. */
export function gatewayRow(record: GatewayRecord, now: number): GatewayRow {
  const str = (value: unknown) => (typeof value === "string" ? value : "");
  const num = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : 0);
  const config: unknown = record.config;
  const account = typeof config === "object" && config !== null ? (config as Record<string, unknown>).accountId : undefined;
  const lastSeenAt = num(record.updatedAt);
  return {
    gatewayId: str(record.gatewayId),
    name: str(record.name),
    channel: str(record.type),
    accountId: typeof account === "string" ? account : null,
    active: record.active === true,
    registeredAt: num(record.registeredAt),
    lastSeenAt,
    lastSeenAgeMs: Math.max(0, now - lastSeenAt),
    removedAt: typeof record.removedAt === "number" ? record.removedAt : null,
  };
}

async function run({ values, io }: CommandContext): Promise<number> {
  const target = await resolveTarget(values, io);
  if (target.databaseUrl === undefined && (values.store !== undefined || values.agent !== undefined)) {
    throw new UsageError("--store and --agent mean nothing for gateways on files: the registry is <state-dir>/gateways.json");
  }
  if (target.databaseUrl === undefined && (await statOrUndefined(target.stateDir)) === undefined) {
    throw new HubError("E_NOT_FOUND", `no state dir at ${target.stateDir}`, { file: target.stateDir });
  }
  const backend = await openTargetBackend(target, io, { readOnly: true });
  const now = (io.now ?? Date.now)();
  let rows: GatewayRow[];
  try {
    rows = (await backend.listGateways({ activeOnly: values.active === true })).map((r) => gatewayRow(r, now));
  } finally {
    await backend.close();
  }
  if (values.json === true) {
    io.stdout(`${safeJson({ stateDir: target.stateDir, count: rows.length, gateways: rows })}\n`);
    return 0;
  }
  io.stdout(`Gateways: ${rows.length}${values.active === true ? " active" : ""} (${printable(target.databaseUrl === undefined ? target.stateDir : backend.location)})\n`);
  if (rows.length === 0) {
    io.stdout("No gateways registered.\n");
    return 0;
  }
  const header = ["ID", "CHANNEL", "ACCOUNT", "SEEN", "STATE", "NAME"];
  const cells = rows.map((r) => [printable(r.gatewayId), printable(r.channel), printable(r.accountId ?? "-"), r.lastSeenAt === 0 ? "unknown" : formatAge(r.lastSeenAgeMs), r.active ? "active" : "removed", printable(r.name)]);
  io.stdout(renderTable(header, cells, (await colours(io)).bold));
  return 0;
}

export const gatewaysCommand: Command = {
  name: "gateways",
  usage: USAGE,
  options: {
    json: { type: "boolean" },
    active: { type: "boolean" },
  },
  run,
};
