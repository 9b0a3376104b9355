/**
 * `hub doctor`: what can be wrong with a sessions directory, and the repairs that are safe.
 * Diagnosis never changes a file; `repair` acts only on fixable findings and says what it did.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { HubError } from "../../../errors.js";
import { archiveFile, isTempFileName, transcriptFilesOf } from "../transcripts/archive.js";
import { readWithFingerprint } from "../fs/atomic.js";
import { listDirNames, lstatOrUndefined } from "../fs/fs-util.js";
import { parseStore, type ParsedStore } from "../store/codec.js";
import { INVALID_MARKER } from "../store/invalid-entries.js";
import { dmScopeFinding, legacyKeyFindings, repairLegacyKeys, type DoctorKeyOptions } from "./doctor-keys.js";
import { ClockJournal } from "../journal/clock-journal.js";
import { foldedCopy } from "../journal/clock-fold.js";
import { inspectLock, removeStaleLock } from "../lock/lock.js";
import type { SessionStore } from "../store/session-store.js";
import { classifyUnparsable } from "../store/store-shape.js";
import { openTranscript, scanForward } from "../transcripts/transcript-file.js";
import { resolveTranscriptPath } from "../transcripts/transcript-path.js";

export type FindingKind =
  | "corrupt-store"
  | "not-a-store"
  | "invalid-entry"
  | "quarantined-file"
  | "stale-lock"
  | "missing-transcript"
  | "unsafe-session-file"
  | "orphaned-transcript"
  | "temp-file"
  | "legacy-key"
  | "dm-scope";

export interface Finding {
  kind: FindingKind;
  severity: "error" | "warn" | "info";
  message: string;
  /** The file or key it is about. */
  subject: string;
  fixable: boolean;
  /** After `repair`: what was done. */
  fixed?: string;
}

export interface DoctorOptions {
  now?: number | undefined;
  /** Called as transcripts are checked (for a progress display). */
  onProgress?: ((done: number, total: number) => void) | undefined;
  /** Temp files older than this are leftovers (ms). Default 5 minutes. */
  tempMaxAgeMs?: number | undefined;
  /** A lock not refreshed for this long is stale (ms). Default 10 000. */
  staleMs?: number | undefined;
  /** The config's `mainKey`, `caseSensitiveChannels`, `scope` (which keys are legacy) and `dmScope`. */
  keys?: DoctorKeyOptions | undefined;
}

const LOCK_LEFTOVER = /\.lock\.(?:new|old|dead)-[A-Za-z0-9_-]+$/;


async function readStore(file: string): Promise<ParsedStore | HubError | null> {
  const read = await readWithFingerprint(file);
  if (read === null) return null;
  try {
    return parseStore(read.text, file);
  } catch (error) {
    if (error instanceof HubError) return error.code === "E_CORRUPT_STORE" ? classifyUnparsable(file, read.text, error) : error;
    throw error;
  }
}

/** Every finding for the store and its sessions directory. Read-only. */
export async function diagnose(store: SessionStore, options: DoctorOptions = {}): Promise<Finding[]> {
  const now = options.now ?? Date.now();
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);
  const base = path.basename(store.path);
  const names = await listDirNames(store.dir);

  // The entries as our readers see them: the clock journal (read first, as the store does) folded in.
  const journal = new ClockJournal(store.path, false);
  journal.refresh();
  const parsed = await readStore(store.path);
  if (parsed instanceof HubError && parsed.code === "E_NOT_A_STORE") {
    add({ kind: "not-a-store", severity: "error", subject: store.path, message: `${parsed.message}; only --fix --force quarantines it`, fixable: true });
  } else if (parsed instanceof HubError) {
    add({ kind: "corrupt-store", severity: "error", subject: store.path, message: `${parsed.message}: --fix quarantines it and restores the backup`, fixable: true });
  }
  const slots = parsed instanceof HubError || parsed === null ? new Map() : parsed.slots;
  for (const { key, reason } of parsed instanceof HubError || parsed === null ? [] : parsed.invalid) {
    add({ kind: "invalid-entry", severity: "warn", subject: key, message: `${reason} (kept in the file, ignored)`, fixable: false });
  }
  const quarantined = (n: string) => n.startsWith(`${base}.corrupt.`) || n.startsWith(`${base}${INVALID_MARKER}`) || n.includes(".jsonl.corrupt.");
  for (const name of names.filter(quarantined)) {
    const what = name.startsWith(`${base}.corrupt.`) ? "a corrupt store" : name.startsWith(base) ? "invalid entries a write replaced," : "a transcript that could not be continued";
    add({ kind: "quarantined-file", severity: "info", subject: path.join(store.dir, name), message: `${what} kept for inspection; delete it when done`, fixable: false });
  }

  await findLocks(store, names, now, options.staleMs ?? 10_000, add);

  const entries = [...slots].filter(([, slot]) => !slot.invalid).map(([key, slot]) => [key, foldedCopy(journal, key, slot)] as const);
  journal.close();
  const legacyKeys = legacyKeyFindings(entries, store.agentId, options.keys ?? {});
  const dmScope = dmScopeFinding(entries, store.agentId, options.keys ?? {});
  if (dmScope !== undefined) add(dmScope);
  const referenced = new Set<string>();
  let done = 0;
  for (const [key, entry] of entries) {
    options.onProgress?.(++done, entries.length);
    for (const file of transcriptFilesOf(store.dir, entry, names)) referenced.add(file);
    let own: string;
    try {
      own = resolveTranscriptPath(store.dir, entry);
    } catch (error) {
      add({ kind: "unsafe-session-file", severity: "error", subject: key, message: (error as Error).message, fixable: false });
      continue;
    }
    if (entry.sessionFile !== undefined && (await lstatOrUndefined(own)) === undefined) {
      add({ kind: "missing-transcript", severity: "warn", subject: key, message: `transcript ${own} is missing (the next message starts a new one)`, fixable: false });
    }
    const legacy = legacyKeys.get(key);
    if (legacy !== undefined) add(legacy);
  }
  for (const name of names) {
    const file = path.join(store.dir, name);
    if (name.endsWith(".jsonl") && !referenced.has(file) && parsed !== null && !(parsed instanceof HubError)) {
      // Older ids fall off previousSessionIds: a transcript whose header names a live key is still its.
      if (slots.has((await headerKeyOf(store.dir, file)) ?? "")) continue;
      add({ kind: "orphaned-transcript", severity: "info", subject: file, message: "no session references this transcript: --fix archives it", fixable: true });
    } else if (isTempFileName(name, base) && now - ((await lstatOrUndefined(file))?.mtimeMs ?? now) > (options.tempMaxAgeMs ?? 5 * 60_000)) {
      add({ kind: "temp-file", severity: "info", subject: file, message: "leftover of an interrupted write: --fix removes it", fixable: true });
    }
  }
  return findings;
}

/** The `sessionKey` in a transcript's header line, if it has one. */
async function headerKeyOf(dir: string, file: string): Promise<string | undefined> {
  const handle = await openTranscript(path.resolve(dir), file, "read").catch((error: unknown) => {
    if (error instanceof HubError && error.code === "E_INVALID_SESSION_FILE") return null; // a symlink out: not ours
    throw error;
  });
  if (handle === null) return undefined;
  let first = "";
  try {
    await scanForward(handle, 0, (text) => {
      first = text;
      return true;
    });
  } finally {
    await handle.close();
  }
  try {
    const header = JSON.parse(first) as { type?: unknown; sessionKey?: unknown } | null;
    return header?.type === "session" && typeof header.sessionKey === "string" ? header.sessionKey : undefined;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined; // no header: nothing claims the file
    throw error;
  }
}

async function findLocks(store: SessionStore, names: string[], now: number, staleMs: number, add: (f: Finding) => void): Promise<void> {
  const lockable = [store.path, ...names.filter((n) => n.endsWith(".jsonl")).map((n) => path.join(store.dir, n))];
  for (const file of lockable) {
    const lock = await inspectLock(file, staleMs, now);
    if (lock.state === "stale") {
      add({ kind: "stale-lock", severity: "warn", subject: `${file}.lock`, message: `stale lock (${lock.reason}): --fix removes it`, fixable: true });
    }
  }
  for (const name of names.filter((n) => LOCK_LEFTOVER.test(n))) {
    const file = path.join(store.dir, name);
    if (now - ((await lstatOrUndefined(file))?.mtimeMs ?? now) > staleMs) {
      add({ kind: "stale-lock", severity: "info", subject: file, message: "leftover of a lock hand-over: --fix removes it", fixable: true });
    }
  }
}

/** Applies the safe repairs to fixable findings (in place: each gets `fixed`). */
const REPAIR_ORDER: readonly FindingKind[] = ["not-a-store", "stale-lock", "corrupt-store", "legacy-key", "orphaned-transcript", "temp-file"];

export async function repair(store: SessionStore, findings: Finding[], now = Date.now(), keys: DoctorKeyOptions = {}): Promise<Finding[]> {
  const fixable = findings.filter((f) => f.fixable).sort((a, b) => REPAIR_ORDER.indexOf(a.kind) - REPAIR_ORDER.indexOf(b.kind));
  let legacyDone = false;
  for (const finding of fixable) {
    switch (finding.kind) {
      case "not-a-store": // refused (E_NOT_A_STORE) unless the store was opened with forceRecovery
      case "corrupt-store":
        await store.list(); // a writable store quarantines the file and restores the backup
        finding.fixed = "quarantined and recovered (see the warning above)";
        break;
      case "stale-lock":
        // Judged stale again at removal: a lock that changed hands since the diagnosis is kept.
        if (!finding.subject.endsWith(".lock")) await fs.rm(finding.subject, { recursive: true, force: true });
        else if (!(await removeStaleLock(finding.subject.slice(0, -".lock".length)))) {
          finding.fixed = "kept: the lock is held again (checked again before removing it)";
          break;
        }
        finding.fixed = "removed";
        break;
      case "legacy-key":
        // All at once: several spellings of one session merge in one write, newest wins.
        if (!legacyDone) await repairLegacyKeys(store, fixable.filter((f) => f.kind === "legacy-key"), keys);
        legacyDone = true;
        break;
      case "orphaned-transcript":
        finding.fixed = `archived as ${path.basename((await archiveFile(finding.subject, now, { dryRun: false })) ?? "(gone)")}`;
        break;
      case "temp-file":
        await fs.rm(finding.subject, { force: true });
        finding.fixed = "removed";
        break;
      default:
        break;
    }
  }
  return findings;
}
