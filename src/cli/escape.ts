/**
 * Terminal safety for everything the CLI prints. Keys, names, subjects, chat text and even
 * file names come from the network or from hand-edited files: printed raw, an escape
 * sequence in a sender's name could clear the operator's screen, set the window title or
 * rewrite earlier lines, and a bidi override could make one key read as another. Every
 * human-readable printer passes such text through `printable`; JSON output goes through
 * `safeJson`, which keeps every value exact.
 */

/**
 * C0 controls (newline and tab included: one field must stay one field), DEL, C1 controls
 * (U+0080-U+009F: some terminals read U+009B as CSI), line and paragraph separators, and the
 * bidi controls (marks, embeddings, overrides, isolates).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/**
 * The same set without C0: `JSON.stringify` escapes those inside strings, and outside them only
 * its own newlines remain. Without the `u` flag (every character here is a single UTF-16 unit),
 * the scan over a whole listing is several times faster.
 */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n" };

function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

function escapeChar(c: string): string {
  return NAMED[c] ?? unicodeEscape(c);
}

/** `text` with every unsafe character shown as an escape (`\n`, `\u0009`, `\u001b`, `\u202e`). */
export function printable(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** One printable line; a CRLF counts as one line break (`\n`). */
export function oneLine(text: string): string {
  return printable(text.replaceAll("\r\n", "\n"));
}

/** Multi-line text (a chat message): each line printable, later lines indented by `indent`. */
export function printableLines(text: string, indent: string): string {
  return text
    .split(/\r?\n/u)
    .map((line) => printable(line))
    .join(`\n${indent}`);
}

/**
 * JSON for a terminal or a pipe: `JSON.stringify` already escapes C0 controls; the other
 * unsafe characters become `\uXXXX` escapes too, so `JSON.parse` gives back the exact values.
 */
export function safeJson(value: unknown, space: number | undefined = 2): string {
  const text = JSON.stringify(value, null, space);
  // Every unsafe character is DEL or above U+007F: ASCII text without DEL (as many byte
  // length as characters) has none, and that check is several times cheaper than the scan.
  if (Buffer.byteLength(text) === text.length && !text.includes("\u007f")) return text;
  return text.replace(UNSAFE_IN_JSON, unicodeEscape);
}
