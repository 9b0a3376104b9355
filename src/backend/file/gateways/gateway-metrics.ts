/**
 * Published metrics snapshots, beside the gateway registry: a hub that registered a gateway
 * writes its metrics to `<stateDir>/metrics/<agentId>/<gatewayId>.json` (atomically, not
 * fsynced: a snapshot lost to a crash is replaced by the next one), so that `hub status` (another
 * process) can show and sum them. One file per hub, named after the first gateway it
 * registered: a restarted gateway overwrites its own file.
 */
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { HubError, isErrnoCode } from "../../../errors.js";
import { isPlainObject } from "../../shared/entry.js";
import { ensureDir, writeFileAtomic } from "../fs/atomic.js";
import { ioFailure } from "../fs/fs-util.js";
import type { MetricsState } from "../../../metrics/metrics.js";

export const METRICS_DIR_NAME = "metrics";

/** One hub's published metrics. */
export interface PublishedMetrics {
  /** The gateways the hub registered (the file is named after the first). */
  gatewayIds: string[];
  agentId: string;
  pid: number;
  host: string;
  /** True once the hub closed (the last snapshot it wrote). */
  closed: boolean;
  /** How often the hub publishes (ms): a running hub's snapshot much older than this is stale. */
  intervalMs: number;
  /** `state.at` is when it was published. */
  state: MetricsState;
}

/** A backend that keeps published snapshots (the file backend, Postgres). */
export interface MetricsPublishing {
  publishMetrics(published: PublishedMetrics): Promise<void>;
}

/** A backend that can read them back (Postgres; on files, `readPublishedMetrics(stateDir)`). */
export interface MetricsReading {
  readPublishedMetrics(): Promise<{ snapshots: PublishedMetrics[]; invalid: string[] }>;
}

export function isMetricsPublishing(backend: object): backend is MetricsPublishing {
  return typeof (backend as Partial<MetricsPublishing>).publishMetrics === "function";
}

/** A file name for any gateway id: URI-encoded (no separators), hashed when long. */
function fileNameOf(gatewayId: string): string {
  const encoded = encodeURIComponent(gatewayId);
  return `${encoded.length <= 120 ? encoded : createHash("sha256").update(gatewayId).digest("hex")}.json`;
}

export async function writePublishedMetrics(stateDir: string, published: PublishedMetrics): Promise<void> {
  const first = published.gatewayIds[0];
  if (first === undefined) throw new HubError("E_INVALID_ARGUMENT", "published metrics need a gateway id");
  const dir = path.join(stateDir, METRICS_DIR_NAME, published.agentId);
  await ensureDir(dir);
  await writeFileAtomic(path.join(dir, fileNameOf(first)), `${JSON.stringify(published)}\n`, { durable: false });
}

/** Whether `value` has the shape of a published snapshot (read from a file or a database row). */
export function isPublished(value: unknown): value is PublishedMetrics {
  if (!isPlainObject(value) || !Array.isArray(value.gatewayIds) || !value.gatewayIds.every((id) => typeof id === "string")) return false;
  if (typeof value.agentId !== "string" || typeof value.pid !== "number" || typeof value.host !== "string" || typeof value.closed !== "boolean" || typeof value.intervalMs !== "number") return false;
  const state = value.state;
  return isPlainObject(state) && typeof state.at === "number" && typeof state.since === "number" && isPlainObject(state.counters) && isPlainObject(state.resets) && isPlainObject(state.latencies);
}

async function readDirNames(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).sort();
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return [];
    throw ioFailure("list", dir, error);
  }
}

/**
 * Every snapshot published under `stateDir` (of `agentId`, or of every agent), oldest
 * gateway file name first; a file that is not a snapshot is reported in `invalid`, not thrown.
 */
export async function readPublishedMetrics(stateDir: string, agentId?: string): Promise<{ snapshots: PublishedMetrics[]; invalid: string[] }> {
  const root = path.join(stateDir, METRICS_DIR_NAME);
  const agents = agentId === undefined ? await readDirNames(root) : [agentId];
  const snapshots: PublishedMetrics[] = [];
  const invalid: string[] = [];
  for (const agent of agents) {
    for (const name of (await readDirNames(path.join(root, agent))).filter((n) => n.endsWith(".json"))) {
      const file = path.join(root, agent, name);
      let text: string;
      try {
        text = await fs.readFile(file, "utf8");
      } catch (error) {
        if (isErrnoCode(error, "ENOENT")) continue; // replaced or removed meanwhile
        throw ioFailure("read", file, error);
      }
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        data = undefined;
      }
      if (isPublished(data)) snapshots.push(data);
      else invalid.push(file);
    }
  }
  return { snapshots, invalid };
}
