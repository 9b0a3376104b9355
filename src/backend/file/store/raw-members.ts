/**
 * The source text of each top-level member of a JSON object (`"key": value`), found by one
 * iterative scan: for entries nested too deep to be stringified again, their bytes are
 * written back exactly as they were read.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPENERS = new Set([0x7b, 0x5b]); // { [
const CLOSERS = new Set([0x7d, 0x5d]); // } ]

/** The index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return text.length;
}

/**
 * For the text of a JSON object (as `JSON.parse` accepts it), each member's text from its
 * key's opening quote to the end of its value, by key (the last one wins for a repeated key,
 * as in `JSON.parse`).
 */
export function rawMembers(text: string): Map<string, string> {
  const members = new Map<string, string>();
  let depth = 0;
  let start = -1;
  let key: string | undefined;
  const close = (end: number) => {
    if (key !== undefined) members.set(key, text.slice(start, end).trimEnd());
    key = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (depth === 1 && key === undefined) {
        start = i;
        key = JSON.parse(text.slice(i, end + 1)) as string;
      }
      i = end;
    } else if (OPENERS.has(c)) {
      depth++;
    } else if (CLOSERS.has(c)) {
      depth--;
      if (depth === 0) close(i);
    } else if (c === COMMA && depth === 1) {
      close(i);
    }
  }
  return members;
}
