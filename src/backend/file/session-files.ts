/**
 * The transcript files of one session of a key, for the file backend: which file it is, the
 * time of its newest message (read backwards from the end), and archiving it.
 */
import path from "node:path";
import { HubError } from "../../errors.js";
import { archiveFile } from "./transcripts/archive.js";
import type { SessionEntry } from "../shared/entry.js";
import { openTranscript, scanBackward, sizeOf } from "./transcripts/transcript-file.js";
import { parseMessageLine } from "../shared/transcript-format.js";
import { resolveTranscriptPath, sessionFileOf, topicIdOf, transcriptFileName } from "./transcripts/transcript-path.js";

export { assertSessionIdArgument } from "../shared/arguments.js";

/**
 * The transcript of session `sessionId` of `key`: the entry's own file while the entry has
 * that session, else the default name for that id (with the key's forum topic, if any).
 */
export function transcriptOf(dir: string, key: string, sessionId: string, entry: SessionEntry | undefined): string {
  const sessionFile = entry?.sessionId === sessionId ? sessionFileOf(key, entry) : transcriptFileName(sessionId, topicIdOf(key));
  return resolveTranscriptPath(dir, { sessionId, sessionFile });
}

/** The timestamp of the last message line of `file`; undefined when it has none (or no file). */
export async function newestMessageTime(dir: string, file: string): Promise<number | undefined> {
  const handle = await openTranscript(path.resolve(dir), file, "read");
  if (handle === null) return undefined;
  let newest: number | undefined;
  try {
    await scanBackward(handle, await sizeOf(handle), (text) => {
      newest = parseMessageLine(text)?.timestamp;
      return newest !== undefined;
    });
  } catch (error) {
    if (error instanceof HubError) throw error;
    throw new HubError("E_IO", `cannot read transcript ${file}: ${(error as Error).message}`, { cause: error, file });
  } finally {
    await handle.close();
  }
  return newest;
}

/** Archives the transcript `file` as `<file>.deleted.<timestamp>`; returns the archive paths (none when absent). */
export async function archiveSession(file: string, now: number): Promise<string[]> {
  const target = await archiveFile(file, now, { dryRun: false });
  return target === undefined ? [] : [target];
}
