/**
 * Where things live on disk: the state dir, the store path template, and the one check that
 * keeps a derived path inside its root.
 */
import os from "node:os";
import path from "node:path";
import { HubError } from "../errors.js";
import { normalizeAgentId } from "../keys/normalize.js";

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

/**
 * Joins `relative` onto `root` and refuses any result outside `root` (`..`, absolute paths).
 * Symlinks are checked where files are opened (see transcripts).
 */
export function resolveInside(root: string, relative: string, what: string): string {
  if (relative === "" || path.isAbsolute(relative) || relative.includes("\0")) {
    throw new HubError("E_INVALID_SESSION_FILE", `${what} must be a relative path inside ${root}, got ${JSON.stringify(relative)}`);
  }
  const resolved = path.resolve(root, relative);
  const fromRoot = path.relative(root, resolved);
  if (fromRoot === "" || fromRoot.startsWith("..") || path.isAbsolute(fromRoot)) {
    throw new HubError("E_INVALID_SESSION_FILE", `${what} must stay inside ${root}, got ${JSON.stringify(relative)}`);
  }
  return resolved;
}

/** A file-name-safe UTC timestamp: `2026-11-21T10-37-00-123Z`. */
export function fileTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[:.]/g, "-");
}
