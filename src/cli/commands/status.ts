/**
 * `hub status`: the store at a glance (size, sessions, lock, backup, quarantined files,
 * transcripts, the policy in force). Read-only.
 */
import path from "node:path";
import { listDirNames, statOrUndefined } from "../../backend/file/fs/fs-util.js";
import { backupPathOf } from "../../backend/file/store/backup.js";
import { inspectLock } from "../../backend/file/lock/lock.js";
import { openTargetStore, resolveTarget, type CliIo, type Command, type OptionValues, type Target } from "../command.js";
import { printable, safeJson } from "../escape.js";
import { formatAge } from "../format.js";
import { metricsLines, metricsOf } from "./status-metrics.js";
import { configSource, policyLines, policyOf } from "./status-policy.js";

const USAGE = `Usage: hub status [--json]

Shows the store's path and size, how many sessions it holds and how many were active in the
last hour, the lock, the backup, quarantined files, transcripts, the policy configured in the
config file (--config, else <state-dir>/hub.json5; which one is shown) and the metrics that
running gateways published (counters and latency percentiles, each snapshot with its age).
On Postgres (--database): the database and schema, the schema version, whether commits are
durable, the sessions, the policy and the metrics (a database has no lock, backup or files).

Options:
  --json      machine-readable output
  --store, --agent, --state-dir, --config, --database   which store (see hub --help)
`;


/** `hub status --database`: the fields both backends share, plus the schema version and durability. */
async function databaseStatus(target: Target, values: OptionValues, io: CliIo): Promise<number> {
  const policy = policyOf(target, await configSource(values, target));
  const { databaseSchemaVersion, openDatabase } = await import("../database.js");
  const backend = await openDatabase({ ...target, databaseUrl: target.databaseUrl as string }, io, { readOnly: true });
  const now = (io.now ?? Date.now)();
  let status;
  try {
    const { sessions, total } = await backend.list();
    const active = await backend.list({ activeWithinMs: 3_600_000, now, limit: 1 });
    const newest = sessions[0];
    status = {
      path: backend.location,
      exists: true,
      count: total,
      activeLastHour: active.total,
      newest: newest ? { key: newest.key, updatedAt: newest.entry.updatedAt, ageMs: now - newest.entry.updatedAt } : null,
      kind: backend.kind,
      schemaVersion: await databaseSchemaVersion(backend),
      durable: backend.durable,
      policy,
      metrics: await metricsOf(target, now, backend),
    };
  } finally {
    await backend.close();
  }
  if (values.json) {
    io.stdout(`${safeJson(status)}\n`);
    return 0;
  }
  io.stdout(
    [
      `Store:        ${printable(status.path)} (Postgres, schema version ${status.schemaVersion}${status.durable ? "" : ", commits not durable"})`,
      `Sessions:     ${status.count} (${status.activeLastHour} active in the last hour)`,
      `Newest:       ${status.newest ? `${printable(status.newest.key)} (${formatAge(status.newest.ageMs)})` : "-"}`,
      ...policyLines(status.policy),
      ...metricsLines(status.metrics),
    ].join("\n") + "\n",
  );
  return 0;
}

function kb(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export const statusCommand: Command = {
  name: "status",
  usage: USAGE,
  options: { json: { type: "boolean" } },
  async run({ values, io }) {
    const target = await resolveTarget(values, io);
    if (target.databaseUrl !== undefined) return databaseStatus(target, values, io);
    const store = await openTargetStore(target, io, { readOnly: true });
    const now = (io.now ?? Date.now)();
    const sessions = await store.list();
    const names = await listDirNames(store.dir);
    const transcripts = names.filter((n) => n.endsWith(".jsonl"));
    let transcriptBytes = 0;
    for (const name of transcripts) transcriptBytes += (await statOrUndefined(path.join(store.dir, name)))?.size ?? 0;
    const storeStat = await statOrUndefined(store.path);
    const base = path.basename(store.path);
    const newest = sessions[0];
    const status = {
      path: store.path,
      exists: storeStat !== undefined,
      bytes: storeStat?.size ?? 0,
      count: sessions.length,
      activeLastHour: sessions.filter((s) => now - s.entry.updatedAt <= 3_600_000).length,
      newest: newest ? { key: newest.key, updatedAt: newest.entry.updatedAt, ageMs: now - newest.entry.updatedAt } : null,
      lock: await inspectLock(store.path, 10_000, now),
      backup: (await statOrUndefined(backupPathOf(store.path))) !== undefined,
      quarantined: names.filter((n) => n.startsWith(`${base}.corrupt.`)),
      transcripts: { files: transcripts.length, bytes: transcriptBytes },
      policy: policyOf(target, await configSource(values, target)),
      metrics: await metricsOf(target, now),
    };
    if (values.json) {
      io.stdout(`${safeJson(status)}\n`);
      return 0;
    }
    const lock =
      status.lock.state === "free"
        ? "free"
        : status.lock.state === "held"
          ? `held by pid ${status.lock.pid ?? "?"} on ${printable(String(status.lock.host ?? "?"))}`
          : `stale (${printable(status.lock.reason)}): hub doctor --fix removes it`;
    io.stdout(
      [
        `Store:        ${printable(status.path)}${status.exists ? ` (${kb(status.bytes)})` : " (not created yet)"}`,
        `Sessions:     ${status.count} (${status.activeLastHour} active in the last hour)`,
        `Newest:       ${status.newest ? `${printable(status.newest.key)} (${formatAge(status.newest.ageMs)})` : "-"}`,
        `Lock:         ${lock}`,
        `Backup:       ${status.backup ? printable(backupPathOf(status.path)) : "none yet"}`,
        `Quarantined:  ${status.quarantined.length ? `${status.quarantined.length} file(s): run hub doctor` : "none"}`,
        `Transcripts:  ${status.transcripts.files} file(s), ${kb(status.transcripts.bytes)}`,
        ...policyLines(status.policy),
        ...metricsLines(status.metrics),
      ].join("\n") + "\n",
    );
    return 0;
  },
};
