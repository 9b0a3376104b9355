/**
 * Which backend a hub talks to: the one the caller gave (used as it is, never closed by the
 * hub), or the file backend opened from the hub's options (owned: the hub closes it).
 */
import { openFileBackend, type FileBackend } from "../backend/file/index.js";
import type { Backend } from "../backend/types.js";
import type { HubConfig } from "../config/schema.js";
import { HubError, describeValue } from "../errors.js";
import { normalizeAgentId } from "../keys/normalize.js";
import type { SessionStore } from "../backend/file/store/session-store.js";
import { defined } from "./inbound.js";
import type { HubOptions } from "./types.js";
import type { MetricsObserver } from "../metrics/metrics.js";

const OPERATIONS = ["get", "list", "update", "delete", "migrateKeys", "turn", "read", "lastActivity", "registerGateway", "prune", "close"] as const;

function assertBackend(backend: unknown): asserts backend is Backend {
  const missing = backend !== null && typeof backend === "object" ? OPERATIONS.find((op) => typeof (backend as Record<string, unknown>)[op] !== "function") : "an object";
  if (missing !== undefined) throw new HubError("E_INVALID_ARGUMENT", `options.backend must be a Backend (no ${missing}), got ${describeValue(backend)}`);
}

/** The backend of a new hub, and whether the hub opened it (and so closes it). */
export function hubBackend(options: HubOptions, stateDir: string, config: HubConfig, now: () => number, observer: MetricsObserver): { backend: Backend; owned: boolean } {
  if (options.backend === undefined) {
    const backend = openFileBackend(
      defined({ stateDir, agentId: options.agentId, path: config.session?.store, durable: options.durable, activityFlushMs: options.activityFlushMs, syncOnLoop: options.syncOnLoop, onWarning: options.onWarning, now, observer }),
    );
    return { backend, owned: true };
  }
  assertBackend(options.backend);
  if (options.agentId !== undefined && normalizeAgentId(options.agentId) !== options.backend.agentId) {
    throw new HubError("E_INVALID_ARGUMENT", `options.agentId "${options.agentId}" is not the backend's agent "${options.backend.agentId}"`);
  }
  return { backend: options.backend, owned: false };
}

/** The file backend's store (`hub.store`); other backends have none. */
export function storeOf(backend: Backend): SessionStore {
  const store = backend.kind === "file" ? (backend as Partial<FileBackend>).store : undefined;
  if (store === undefined) throw new HubError("E_INVALID_ARGUMENT", `hub.store exists only on the file backend (this hub uses the ${backend.kind} backend at ${backend.location}); use hub.backend`);
  return store;
}
