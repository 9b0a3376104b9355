/**
 * The policy `hub status` shows: the one configured in the config file the CLI read
 * (`--config <file>`, else `<stateDir>/hub.json5` when present), resolved the way the hub
 * resolves it (defaults filled in), with where it came from. Reads only the file's existence.
 */
import path from "node:path";
import { statOrUndefined } from "../../backend/file/fs/fs-util.js";
import { CONFIG_FILE_NAME } from "../../config/load.js";
import { DEFAULT_ARCHIVE_RETENTION, DEFAULT_MACHINE_PRUNE_AFTER, DEFAULT_MAX_ENTRIES, DEFAULT_PRUNE_AFTER } from "../../lifecycle/defaults.js";
import { resolveResetPolicy } from "../../lifecycle/reset-policy.js";
import type { ResolvedResetPolicy, SessionResetConfig } from "../../lifecycle/types.js";
import type { OptionValues, Target } from "../command.js";
import { printable } from "../escape.js";

/** One reset policy as status shows it (`idleMinutes` null when there is no idle expiry). */
export interface ShownReset {
  mode: string;
  atHour: number;
  idleMinutes: number | null;
  timezone?: string;
}

/** A key of each session type, to resolve `resetByType` the way the hub does. */
const TYPE_SAMPLES: Record<string, { sessionKey: string; isThread?: boolean }> = {
  dm: { sessionKey: "agent:main:status:dm:x" },
  direct: { sessionKey: "agent:main:status:dm:x" },
  group: { sessionKey: "agent:main:status:group:x" },
  thread: { sessionKey: "agent:main:status:group:x", isThread: true },
};

/** `timezone` only when the override sets its own (not `session.timezone`). */
function shown(policy: ResolvedResetPolicy, sessionZone: string | undefined): ShownReset {
  const own = policy.timezone !== undefined && policy.timezone !== sessionZone;
  return { mode: policy.mode, atHour: policy.atHour, idleMinutes: policy.idleMinutes ?? null, ...(own ? { timezone: policy.timezone as string } : {}) };
}

/** The config file the CLI read: `--config`, else `<stateDir>/hub.json5` if it exists; null for the defaults. */
export async function configSource(values: OptionValues, target: Target): Promise<string | null> {
  if (typeof values.config === "string") return path.resolve(values.config);
  const file = path.join(target.stateDir, CONFIG_FILE_NAME);
  return (await statOrUndefined(file)) === undefined ? null : file;
}

/** The policy in force, as both backends show it. */
export function policyOf(target: Target, source: string | null) {
  const session = target.config.session ?? {};
  const config = session as SessionResetConfig;
  const base = resolveResetPolicy({ ...config, resetByType: undefined, resetByChannel: undefined }, { sessionKey: "agent:main:main" });
  const resetByType: Record<string, ShownReset> = {};
  for (const type of Object.keys(session.resetByType ?? {})) {
    const sample = TYPE_SAMPLES[type];
    if (sample) resetByType[type] = shown(resolveResetPolicy({ ...config, resetByChannel: undefined }, sample), session.timezone);
  }
  const resetByChannel: Record<string, ShownReset> = {};
  for (const channel of Object.keys(session.resetByChannel ?? {})) resetByChannel[channel] = shown(resolveResetPolicy(config, { sessionKey: "agent:main:main", channel }), session.timezone);
  const m = session.maintenance ?? {};
  return {
    source,
    dmScope: session.dmScope ?? "per-channel-peer",
    reset: { mode: base.mode, atHour: base.atHour, idleMinutes: base.idleMinutes ?? null },
    timezone: session.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    resetByType,
    resetByChannel,
    maintenance: {
      pruneAfter: m.pruneAfter ?? DEFAULT_PRUNE_AFTER,
      machinePruneAfter: m.machinePruneAfter ?? DEFAULT_MACHINE_PRUNE_AFTER,
      maxEntries: m.maxEntries ?? DEFAULT_MAX_ENTRIES,
      archiveRetention: m.archiveRetention ?? DEFAULT_ARCHIVE_RETENTION,
    },
  };
}

export type Policy = ReturnType<typeof policyOf>;

function resetText(r: ShownReset): string {
  const mode = r.mode === "daily" ? `daily at ${r.atHour}:00` : r.mode;
  return `${mode}${r.idleMinutes !== null ? `, idle ${r.idleMinutes}m` : ""}${r.timezone === undefined ? "" : ` (${printable(r.timezone)})`}`;
}

const overrides = (map: Record<string, ShownReset>) =>
  Object.entries(map)
    .map(([name, r]) => `${printable(name)}: ${resetText(r)}`)
    .join("; ");

const duration = (value: string | number) => (typeof value === "number" ? `${value} ms` : printable(value));

/** The policy's lines: where it came from, the reset policy and its overrides, maintenance. */
export function policyLines(p: Policy): string[] {
  const lines = [
    `Config:       ${p.source === null ? "defaults (no config file)" : printable(p.source)}`,
    `Policy:       dmScope ${p.dmScope}; reset ${resetText({ ...p.reset, timezone: p.timezone })}`,
  ];
  if (Object.keys(p.resetByType).length > 0) lines.push(`  by type:    ${overrides(p.resetByType)}`);
  if (Object.keys(p.resetByChannel).length > 0) lines.push(`  by channel: ${overrides(p.resetByChannel)}`);
  const m = p.maintenance;
  lines.push(`Maintenance:  prune after ${duration(m.pruneAfter)} (cron/hook keys ${duration(m.machinePruneAfter)}), at most ${m.maxEntries} entries, archives kept ${duration(m.archiveRetention)}`);
  return lines;
}
