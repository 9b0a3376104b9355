/**
 * Where things live on disk: the state dir, the store path template, file-name timestamps.
 * (Transcript paths are kept inside the sessions directory by transcript-path.ts.)
 */
import os from "node:os";
import path from "node:path";
import { HubError } from "../../../errors.js";
import { normalizeAgentId } from "../../../keys/normalize.js";

export const STORE_FILE_NAME = "sessions.json";

export function expandHome(p: string): string {
  if (p === "~") return os.homedir();
  if (p.startsWith("~/")) return path.join(os.homedir(), p.slice(2));
  return p;
}

/** `stateDir` option, else env `HUB_STATE_DIR`, else `~/.hub`; always absolute. */
export function resolveStateDir(stateDir?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = stateDir ?? (env.HUB_STATE_DIR?.trim() || undefined) ?? "~/.hub";
  return path.resolve(expandHome(chosen));
}

export interface StorePathOptions {
  path?: string | undefined;
  stateDir?: string | undefined;
  agentId?: string | undefined;
}

/**
 * The absolute path of sessions.json: an explicit `path` (template: `{agentId}` is replaced by
 * the normalized agent id, a leading `~` expanded), else
 * `<stateDir>/agents/<agentId>/sessions/sessions.json`.
 */
export function resolveStorePath(options: StorePathOptions = {}): string {
  const agentId = normalizeAgentId(options.agentId);
  if (options.path !== undefined) {
    if (options.path.trim() === "") throw new HubError("E_INVALID_ARGUMENT", 'path must be a non-empty string, got ""');
    return path.resolve(expandHome(options.path.replaceAll("{agentId}", agentId)));
  }
  return path.join(resolveStateDir(options.stateDir), "agents", agentId, "sessions", STORE_FILE_NAME);
}

/** A file-name-safe UTC timestamp: `2026-11-21T10-37-00-123Z`. */
export function fileTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[:.]/g, "-");
}
