/**
 * Deleting sessions by hand (`hub sessions delete`, `hub.deleteSession`): the keys go in one
 * write, and their transcripts are archived as `<file>.deleted.<timestamp>`, except files a
 * remaining entry still uses.
 */
import { transcriptFilesOf } from "../backend/file/transcripts/archive.js";
import { listDirNames } from "../backend/file/fs/fs-util.js";
import type { SessionEntry } from "../backend/shared/entry.js";
import type { SessionStore } from "../backend/file/store/session-store.js";
import { archiveRemoved } from "./archive-removed.js";

export interface DeletedSession {
  key: string;
  /** Empty for an invalid entry (removed as it was; it had no usable transcript). */
  sessionId: string;
  /** Archives made (or, in a dry run, that would be made). */
  archived: string[];
}

/** Removes `keys` (absent ones are skipped); resolves with what was removed once it is on disk. */
export async function deleteSessions(
  store: SessionStore,
  keys: readonly string[],
  options: { dryRun?: boolean; now?: number } = {},
): Promise<DeletedSession[]> {
  const dryRun = options.dryRun ?? false;
  const now = options.now ?? store.now();
  const names = await listDirNames(store.dir);
  let removed: Array<[string, SessionEntry | undefined]>;
  let keep: Set<string>;
  if (dryRun) {
    const entries = await store.list();
    const wanted = new Set(keys);
    const byKey = new Map(entries.map(({ key, entry }) => [key, entry]));
    // In the order given, like the real run.
    removed = [...wanted].flatMap((key): Array<[string, SessionEntry]> => {
      const entry = byKey.get(key);
      return entry === undefined ? [] : [[key, entry]];
    });
    keep = new Set(entries.filter(({ key }) => !wanted.has(key)).flatMap(({ entry }) => transcriptFilesOf(store.dir, entry, names)));
  } else {
    ({ removed, keep } = await store.mutate((draft) => {
      const gone: Array<[string, SessionEntry | undefined]> = [];
      for (const key of new Set(keys)) {
        const entry = draft.get(key); // undefined for an invalid entry, which is deletable too
        if (draft.delete(key)) gone.push([key, entry]);
      }
      const stillUsed = gone.length === 0 ? [] : draft.entries().flatMap(([, entry]) => transcriptFilesOf(store.dir, entry, names));
      return { removed: gone, keep: new Set(stillUsed) };
    }));
  }
  const result: DeletedSession[] = [];
  for (const [key, entry] of removed) {
    // A message that arrived meanwhile brought the entry back: its transcript is not archived.
    const archived = entry === undefined ? [] : ((await archiveRemoved(store, key, entry, now, { dryRun, names, keep })) ?? []);
    result.push({ key, sessionId: entry?.sessionId ?? "", archived });
  }
  return result;
}
