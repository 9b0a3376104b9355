/**
 * "Did you mean": the candidate closest to a mistyped command or flag. Pure.
 */

/** Edits (insert, delete, substitute, swap two neighbours) between `a` and `b`. */
function distance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const above = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((rows[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/** The closest candidate within a third of the input's length (at least one edit); undefined when none is close. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const allowed = Math.max(1, Math.floor(input.replace(/^-+/u, "").length / 3));
  let best: { candidate: string; edits: number } | undefined;
  for (const candidate of candidates) {
    const edits = distance(input, candidate);
    if (edits <= allowed && (best === undefined || edits < best.edits)) best = { candidate, edits };
  }
  return best?.candidate;
}
