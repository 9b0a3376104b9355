/**
 * `hub status`: the store at a glance (size, sessions, lock, backup, quarantined files,
 * transcripts, the policy in force). Read-only.
 */
import path from "node:path";
import { listDirNames, statOrUndefined } from "../../store/fs-util.js";
import { backupPathOf } from "../../store/backup.js";
import { inspectLock } from "../../store/lock.js";
import { openTargetStore, resolveTarget, type Command } from "../command.js";
import { printable, safeJson } from "../escape.js";
import { formatAge } from "../format.js";

const USAGE = `Usage: hub status [--json]

Shows the store's path and size, how many sessions it holds and how many were active in the
last hour, the lock, the backup, quarantined files, transcripts and the reset policy in force.

Options:
  --json      machine-readable output
  --store, --agent, --state-dir, --config   which store (see hub --help)
`;


function kb(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export const statusCommand: Command = {
  name: "status",
  summary: "the store at a glance",
  usage: USAGE,
  options: { json: { type: "boolean" } },
  async run({ values, io }) {
    const target = await resolveTarget(values, io);
    const store = openTargetStore(target, io, { readOnly: true });
    const now = (io.now ?? Date.now)();
    const sessions = await store.list();
    const names = await listDirNames(store.dir);
    const transcripts = names.filter((n) => n.endsWith(".jsonl"));
    let transcriptBytes = 0;
    for (const name of transcripts) transcriptBytes += (await statOrUndefined(path.join(store.dir, name)))?.size ?? 0;
    const storeStat = await statOrUndefined(store.path);
    const base = path.basename(store.path);
    const newest = sessions[0];
    const reset = target.config.session?.reset;
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
      policy: {
        dmScope: target.config.session?.dmScope ?? "per-channel-peer",
        reset: { mode: reset?.mode ?? (target.config.session?.idleMinutes ? "idle" : "daily"), atHour: reset?.atHour ?? 4, idleMinutes: reset?.idleMinutes ?? target.config.session?.idleMinutes ?? null },
        timezone: target.config.session?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
      },
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
    const p = status.policy;
    io.stdout(
      [
        `Store:        ${printable(status.path)}${status.exists ? ` (${kb(status.bytes)})` : " (not created yet)"}`,
        `Sessions:     ${status.count} (${status.activeLastHour} active in the last hour)`,
        `Newest:       ${status.newest ? `${printable(status.newest.key)} (${formatAge(status.newest.ageMs)})` : "-"}`,
        `Lock:         ${lock}`,
        `Backup:       ${status.backup ? printable(backupPathOf(status.path)) : "none yet"}`,
        `Quarantined:  ${status.quarantined.length ? `${status.quarantined.length} file(s): run hub doctor` : "none"}`,
        `Transcripts:  ${status.transcripts.files} file(s), ${kb(status.transcripts.bytes)}`,
        `Policy:       dmScope ${p.dmScope}; reset ${p.reset.mode}${p.reset.mode === "daily" ? ` at ${p.reset.atHour}:00` : ""}${p.reset.idleMinutes ? `, idle ${p.reset.idleMinutes}m` : ""} (${printable(p.timezone)})`,
      ].join("\n") + "\n",
    );
    return 0;
  },
};
