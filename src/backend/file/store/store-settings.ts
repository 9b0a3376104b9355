/**
 * The options of `openSessionStore`, checked and resolved once into the settings every part
 * of the store (reader, writer, public object) works with.
 */
import path from "node:path";
import { HubError, describeValue } from "../../../errors.js";
import { normalizeAgentId } from "../../../keys/normalize.js";
import { MAX_STORE_BYTES } from "../fs/atomic.js";
import type { LockOptions } from "../lock/lock.js";
import { resolveStorePath } from "./paths.js";
import { guardObserver, observerWarning, type MetricsObserver } from "../../../metrics/metrics.js";
import type { SessionStoreOptions, StoreWarning } from "./store-types.js";

export interface StoreSettings {
  readonly path: string;
  readonly dir: string;
  readonly agentId: string;
  readonly durable: boolean;
  readonly syncOnLoop: boolean;
  readonly now: () => number;
  /** How long a parsed store may be reused without a lock (ms); 0 disables the cache. */
  readonly ttl: number;
  readonly lock: LockOptions;
  readonly readOnly: boolean;
  readonly forceRecovery: boolean;
  readonly maxBytes: number;
  readonly warn: (warning: StoreWarning) => void;
  /** `activityFlushMs`. */
  readonly flushMs: number;
  /** Told store-write and lock-wait times and journal folds; a throwing observer is a warning. */
  readonly observer: MetricsObserver | undefined;
}

function resolveCacheTtl(option: number | undefined, env: NodeJS.ProcessEnv): number {
  const raw = option ?? env.HUB_SESSION_CACHE_TTL_MS;
  if (raw === undefined || raw === "") return 45_000;
  const ttl = Number(raw);
  if (!Number.isFinite(ttl) || ttl < 0) {
    const name = option === undefined ? "env HUB_SESSION_CACHE_TTL_MS" : "cacheTtlMs";
    throw new HubError("E_INVALID_ARGUMENT", `${name} must be a number of ms >= 0, got ${describeValue(raw)}`);
  }
  return ttl;
}

function positive(value: number | undefined, fallback: number, name: string, unit = "ms"): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new HubError("E_INVALID_ARGUMENT", `${name} must be a positive number of ${unit}, got ${describeValue(value)}`);
  }
  return value;
}

function defaultWarning(warning: StoreWarning): void {
  process.emitWarning(warning.message, { code: warning.code });
}

/** The settings of a store; throws `E_INVALID_ARGUMENT` naming the first bad option. */
export function resolveSettings(options: SessionStoreOptions): StoreSettings {
  const agentId = normalizeAgentId(options.agentId);
  const file = resolveStorePath(options);
  const warn = options.onWarning ?? defaultWarning;
  const settings: StoreSettings = {
    path: file,
    dir: path.dirname(file),
    agentId,
    durable: options.durable ?? true,
    syncOnLoop: options.syncOnLoop ?? true,
    now: options.now ?? Date.now,
    ttl: resolveCacheTtl(options.cacheTtlMs, process.env),
    lock: {
      timeoutMs: positive(options.lockTimeoutMs, 60_000, "lockTimeoutMs"),
      staleMs: Math.max(2_000, positive(options.staleMs, 10_000, "staleMs")),
    },
    readOnly: options.readOnly ?? false,
    forceRecovery: options.forceRecovery ?? false,
    maxBytes: Math.min(MAX_STORE_BYTES, positive(options.maxStoreBytes, MAX_STORE_BYTES, "maxStoreBytes", "bytes")),
    warn,
    flushMs: options.activityFlushMs ?? 30_000,
    observer: guardObserver(options.observer, (error) => warn(observerWarning(error, file))),
  };
  if (!Number.isFinite(settings.flushMs) || settings.flushMs < 0) {
    throw new HubError("E_INVALID_ARGUMENT", `activityFlushMs must be a number of ms >= 0, got ${describeValue(options.activityFlushMs)}`);
  }
  return settings;
}
