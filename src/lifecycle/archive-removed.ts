/**
 * Archiving the transcripts of entries just removed (prune, delete), safely against a message
 * arriving at the same moment: the archive happens under the transcript's lock, the lock an
 * append holds until the store records it, and only if the store still has no entry for the
 * key on that session id. A message that got in first has brought the entry back (see
 * `transcript-append.ts`): its transcript then stays where it is, live.
 */
import { HubError } from "../errors.js";
import { archiveTranscripts, type ArchiveTranscriptsOptions } from "../backend/file/transcripts/archive.js";
import type { SessionEntry } from "../backend/shared/entry.js";
import { withLeasedLock } from "../backend/file/lock/lease.js";
import type { SessionStore } from "../backend/file/store/session-store.js";
import { TRANSCRIPT_LOCK } from "../backend/file/transcripts/transcript-append.js";
import { resolveTranscriptPath, sessionFileOf } from "../backend/file/transcripts/transcript-path.js";

/** The transcript an append to this entry would write, or undefined for an invalid `sessionFile`. */
function appendTarget(store: SessionStore, key: string, entry: Readonly<SessionEntry>): string | undefined {
  try {
    return resolveTranscriptPath(store.dir, { sessionId: entry.sessionId, sessionFile: sessionFileOf(key, entry) });
  } catch (error) {
    if (error instanceof HubError && error.code === "E_INVALID_SESSION_FILE") return undefined;
    throw error;
  }
}

/**
 * Archives the transcripts of the removed entry `key` → `entry`; returns the archive paths,
 * or `undefined` when a message revived the entry meanwhile (nothing archived). A dry run
 * takes no lock.
 */
export async function archiveRemoved(
  store: SessionStore,
  key: string,
  entry: Readonly<SessionEntry>,
  now: number,
  options: ArchiveTranscriptsOptions,
): Promise<string[] | undefined> {
  const file = options.dryRun ? undefined : appendTarget(store, key, entry);
  if (file === undefined) return archiveTranscripts(store.dir, entry, now, options);
  const archive = async () => {
    if ((await store.get(key))?.sessionId === entry.sessionId) return undefined;
    return archiveTranscripts(store.dir, entry, now, options);
  };
  // In this process, in turn with the appends to the file (which may keep its lock); the lock is not kept after.
  return withLeasedLock(file, TRANSCRIPT_LOCK, archive, false);
}
