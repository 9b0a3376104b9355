/**
 * How many terminal columns text takes: wide (CJK, fullwidth) characters and emoji take two,
 * combining marks and joiners none. Pure; counts user-perceived characters (graphemes).
 * East Asian Width (UAX #11) comes from get-east-asian-width, which follows each Unicode
 * release; graphemes, emoji and zero-width characters are ours.
 */
import { eastAsianWidth } from "get-east-asian-width";

const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200b-\u200d\u2060\ufeff]+$/u;
const EMOJI = /\p{Emoji_Presentation}|\p{Regional_Indicator}|\ufe0f/u;

function graphemeWidth(grapheme: string): number {
  if (ZERO_WIDTH.test(grapheme)) return 0;
  if (EMOJI.test(grapheme)) return 2;
  // Ambiguous characters (Greek, Cyrillic, box drawing...) are narrow, as most terminals draw them.
  return eastAsianWidth(grapheme.codePointAt(0) ?? 0, { ambiguousAsWide: false });
}

export function displayWidth(text: string): number {
  let width = 0;
  for (const { segment } of segmenter.segment(text)) width += graphemeWidth(segment);
  return width;
}

/** `text` padded with spaces to `width` columns. */
export function padToWidth(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

/** `text` cut to at most `width` columns, ending in `…` when cut; never splits a character. */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = graphemeWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}
