/**
 * Every agent's store under the state dir, for `hub sessions --all-agents`: one per
 * directory in `<stateDir>/agents/` whose store (the default path, or the config's
 * `session.store` with `{agentId}`) exists. Nothing is created.
 */
import path from "node:path";
import { HubError } from "../errors.js";
import { listDirNames, statOrUndefined } from "../backend/file/fs/fs-util.js";
import { resolveStorePath } from "../backend/file/store/paths.js";
import type { Target } from "./command.js";

export async function agentTargets(base: Target): Promise<Target[]> {
  const agentsDir = path.join(base.stateDir, "agents");
  const targets: Target[] = [];
  for (const agentId of (await listDirNames(agentsDir)).sort()) {
    const storePath = resolveStorePath({ path: base.config.session?.store, stateDir: base.stateDir, agentId });
    if (targets.some((t) => t.storePath === storePath) || (await statOrUndefined(storePath)) === undefined) continue;
    targets.push({ ...base, agentId, storePath });
  }
  if (targets.length === 0) throw new HubError("E_NOT_FOUND", `no session store under ${agentsDir}`, { file: agentsDir });
  return targets;
}
