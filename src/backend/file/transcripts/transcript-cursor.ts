/**
 * The opaque `before`/`after` cursors of `readMessages`: a byte offset at a line boundary of
 * one transcript file, with that file's name so a cursor is never applied to another
 * transcript (after a reset, say). Pure.
 */
import { HubError, describeValue } from "../../../errors.js";

interface CursorData {
  /** The transcript's file name. */
  f: string;
  /** A byte offset where a line starts (or the end of the file). */
  o: number;
}

export function encodeCursor(fileName: string, offset: number): string {
  const data: CursorData = { f: fileName, o: offset };
  return Buffer.from(JSON.stringify(data)).toString("base64url");
}

function decode(cursor: string): CursorData | undefined {
  try {
    const data: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (data === null || typeof data !== "object") return undefined;
    const { f, o } = data as Partial<CursorData>;
    if (typeof f !== "string" || typeof o !== "number" || !Number.isSafeInteger(o) || o < 0) return undefined;
    return { f, o };
  } catch {
    return undefined; // not a cursor of ours: reported below with the parameter's name
  }
}

/**
 * The byte offset a cursor names. Throws `E_INVALID_ARGUMENT` for a value that is not one of
 * our cursors, or one made for another transcript file than `fileName`.
 */
export function decodeCursor(cursor: unknown, name: "before" | "after", fileName: string): number {
  const data = typeof cursor === "string" ? decode(cursor) : undefined;
  if (data === undefined) {
    throw new HubError("E_INVALID_ARGUMENT", `${name} must be a cursor returned by readMessages, got ${describeValue(cursor)}`);
  }
  if (data.f !== fileName) {
    throw new HubError(
      "E_INVALID_ARGUMENT",
      `${name} is a cursor of transcript ${JSON.stringify(data.f)}, but the session now uses ${JSON.stringify(fileName)} (was it reset?)`,
    );
  }
  return data.o;
}
