/**
 * Whether a file that does not parse is a damaged session store (recovered: quarantined and
 * replaced by its backup) or some other file a wrong path pointed at (`/etc/hosts`, a log, a
 * device), which must never be renamed or rewritten. Pure: it judges a name and the text read.
 */
import path from "node:path";
import { HubError } from "../../../errors.js";

/**
 * A store is named `sessions.json`, or its text is a JSON object, possibly torn
 * (it starts with `{`), or it is an empty `.json` file (a write cut off at zero bytes).
 */
export function looksLikeStore(file: string, text: string): boolean {
  if (path.basename(file) === "sessions.json") return true;
  const start = text.replace(/^\uFEFF/u, "").trimStart();
  return start.startsWith("{") || (start === "" && file.endsWith(".json"));
}

/**
 * The error for a file that failed to parse: `E_NOT_A_STORE` when it does not look like a
 * store (the parse error is its cause), else the parse error itself.
 */
export function classifyUnparsable(file: string, text: string, parseError: HubError): HubError {
  if (looksLikeStore(file, text)) return parseError;
  return new HubError(
    "E_NOT_A_STORE",
    `${file} does not look like a session store (not named sessions.json, and not a JSON object): it was left as it is`,
    { cause: parseError, file },
  );
}
