/**
 * The effective configuration of a config file, value by value, each with where it came
 * from: the file, or the default session-hub applies when nothing sets it. What a gateway
 * passes in code (`createHub({ config })`) is not in any file and so not here. Pure.
 */
import { isPlainObject } from "../backend/shared/entry.js";
import {
  DEFAULT_ARCHIVE_RETENTION,
  DEFAULT_IDLE_MINUTES,
  DEFAULT_MACHINE_PRUNE_AFTER,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_PRUNE_AFTER,
  DEFAULT_RESET_AT_HOUR,
  DEFAULT_RESET_TRIGGERS,
} from "../lifecycle/defaults.js";

export interface EffectiveValue {
  /** `session.reset.atHour`: keys joined by dots. */
  path: string;
  value: unknown;
  source: "file" | "default";
  /** How a default is applied, when the value alone does not say it. */
  note?: string;
}

interface Default {
  path: string;
  value: (file: Record<string, unknown>) => unknown;
  note?: string;
}

/** Every value session-hub defaults, in the order `hub config check` shows them. */
const DEFAULTS: readonly Default[] = [
  { path: "session.dmScope", value: () => "per-channel-peer" },
  { path: "session.mainKey", value: () => "main" },
  { path: "session.scope", value: () => "per-sender" },
  // "idle" when the legacy session.idleMinutes is set.
  { path: "session.reset.mode", value: (file) => (valueAt(file, "session.idleMinutes") === undefined ? "daily" : "idle") },
  { path: "session.reset.atHour", value: () => DEFAULT_RESET_AT_HOUR, note: "daily mode" },
  // The legacy session.idleMinutes when set.
  { path: "session.reset.idleMinutes", value: (file) => valueAt(file, "session.idleMinutes") ?? DEFAULT_IDLE_MINUTES, note: "idle mode" },
  { path: "session.timezone", value: () => Intl.DateTimeFormat().resolvedOptions().timeZone, note: "this machine's" },
  { path: "session.resetTriggers", value: () => [...DEFAULT_RESET_TRIGGERS], note: "always on" },
  { path: "session.sendPolicy.default", value: () => "allow" },
  { path: "session.store", value: () => "<stateDir>/agents/{agentId}/sessions/sessions.json" },
  { path: "session.maintenance.pruneAfter", value: () => DEFAULT_PRUNE_AFTER },
  { path: "session.maintenance.maxEntries", value: () => DEFAULT_MAX_ENTRIES },
  { path: "session.maintenance.machinePruneAfter", value: () => DEFAULT_MACHINE_PRUNE_AFTER, note: "capped at pruneAfter" },
  { path: "session.maintenance.archiveRetention", value: () => DEFAULT_ARCHIVE_RETENTION },
  // DEFAULT_DEDUPE_TTL_MS of the dedupe module (which reads files: not imported here).
  { path: "messages.dedupe.ttl", value: () => "24h" },
  { path: "messages.inbound.debounceMs", value: () => 0, note: "no debounce" },
];

function valueAt(input: unknown, path: string): unknown {
  let value = input;
  for (const part of path.split(".")) {
    if (!isPlainObject(value) || !Object.hasOwn(value, part)) return undefined;
    value = value[part];
  }
  return value;
}

/**
 * The file's values as leaves: nested objects are walked, except maps keyed by the user
 * (`identityLinks`, `resetByChannel`, `inbound.byChannel`), which stay one value like arrays.
 */
function leaves(input: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  for (const [key, value] of Object.entries(isPlainObject(input) ? input : {})) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (value === undefined) continue;
    if (isPlainObject(value) && !USER_KEYED.has(path)) leaves(value, path, out);
    else out.set(path, value);
  }
  return out;
}

const USER_KEYED = new Set(["session.identityLinks", "session.resetByChannel", "messages.inbound.byChannel"]);

/**
 * `file`: a config that passed `validateConfig` (as parsed, before defaults). The default
 * `session.store` depends on the state dir, so it is shown as a pattern.
 */
export function effectiveConfig(file: unknown): EffectiveValue[] {
  const root = isPlainObject(file) ? file : {};
  const set = leaves(root, "", new Map());
  const result: EffectiveValue[] = [];
  for (const d of DEFAULTS) {
    if (set.has(d.path)) continue;
    result.push({ path: d.path, value: d.value(root), source: "default", ...(d.note === undefined ? {} : { note: d.note }) });
  }
  for (const [path, value] of set) {
    if (path === "session.resetTriggers" && Array.isArray(value)) {
      // The defaults stay on; the file's triggers add to them.
      result.push({ path, value: [...new Set([...DEFAULT_RESET_TRIGGERS, ...(value as unknown[])])], source: "file", note: `${DEFAULT_RESET_TRIGGERS.join(" and ")} always on` });
    } else result.push({ path, value, source: "file" });
  }
  return result.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
