/**
 * Copies of stored entries for readers. Entries hold JSON values only (parsed from the file or
 * round-tripped through JSON when set), so a plain recursive copy does: several times faster
 * than `structuredClone` over a whole store (`hub sessions` copies every entry). A
 * `"__proto__"` key is data, copied as an own property, never a prototype.
 */
import type { SessionEntry } from "../../shared/entry.js";

function copyValue(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(copyValue);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const copied = copyValue((value as Record<string, unknown>)[key]);
    if (key === "__proto__") Object.defineProperty(out, key, { value: copied, enumerable: true, writable: true, configurable: true });
    else out[key] = copied;
  }
  return out;
}

/** A deep copy of an entry, its `updatedAt` moved to `clock` when that is newer. */
export function copyEntry(entry: SessionEntry, clock: number | undefined): SessionEntry {
  const copy = copyValue(entry) as SessionEntry;
  if (clock !== undefined && clock > copy.updatedAt) copy.updatedAt = clock;
  return copy;
}
