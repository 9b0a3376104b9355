/**
 * sessions.json text <-> the in-memory map. Parsing tries `JSON.parse` first and JSON5 only
 * for a file that fails it. Writing produces exactly `JSON.stringify(store, null, 2)`, built
 * from per-entry fragments that are cached, so an update re-serializes only what changed.
 */
import JSON5 from "json5";
import { HubError } from "../errors.js";
import { assertEntry, isPlainObject, migrateLegacyFields, type SessionEntry } from "./entry.js";

/** One stored entry. `line` is its serialized text (`  "key": {...}`), filled on demand. */
export interface Slot {
  /** The entry; for an invalid slot, whatever the file held (kept so it is written back). */
  readonly entry: SessionEntry;
  /** Set when the stored value failed validation: hidden from readers, preserved on disk. */
  readonly invalid?: string;
  line?: string;
}

export interface ParsedStore {
  slots: Map<string, Slot>;
  /** The file was not plain JSON (comments, trailing commas...) and needed JSON5. */
  usedJson5: boolean;
  /** Keys whose entries had legacy clawdbot fields renamed. */
  migrated: string[];
  /** Keys whose entries failed validation, with the reason. */
  invalid: Array<{ key: string; reason: string }>;
}

/** Parses the text of a store file; throws `E_CORRUPT_STORE` for anything but an object. */
export function parseStore(text: string, file: string): ParsedStore {
  let data: unknown;
  let usedJson5 = false;
  try {
    data = JSON.parse(text);
  } catch (jsonError) {
    try {
      data = JSON5.parse(text);
      usedJson5 = true;
    } catch {
      const what = text.trim() === "" ? `is empty (${text.length} bytes)` : `is not valid JSON (${(jsonError as Error).message})`;
      throw new HubError("E_CORRUPT_STORE", `${file} ${what}`, { cause: jsonError, file });
    }
  }
  if (!isPlainObject(data)) {
    const found = Array.isArray(data) ? "an array" : data === null ? "null" : `a ${typeof data}`;
    throw new HubError("E_CORRUPT_STORE", `${file} must hold a JSON object of sessions, found ${found}`, { file });
  }
  const slots = new Map<string, Slot>();
  const migrated: string[] = [];
  const invalid: Array<{ key: string; reason: string }> = [];
  for (const [key, value] of Object.entries(data)) {
    if (isPlainObject(value) && migrateLegacyFields(value)) migrated.push(key);
    try {
      if (!isPlainObject(value)) throw new HubError("E_INVALID_ENTRY", `entry "${key}" must be an object`);
      assertEntry(value, key);
      slots.set(key, { entry: value });
    } catch (error) {
      if (!(error instanceof HubError)) throw error;
      invalid.push({ key, reason: error.message });
      slots.set(key, { entry: value as SessionEntry, invalid: error.message });
    }
  }
  return { slots, usedJson5, migrated, invalid };
}

/** The pretty text of one entry, indented to sit at the top level of the store. */
function entryLine(key: string, entry: unknown): string {
  const pretty = JSON.stringify(entry, null, 2).replaceAll("\n", "\n  ");
  return `  ${JSON.stringify(key)}: ${pretty}`;
}

/**
 * Validates and normalizes an entry into a slot: the entry is round-tripped through its JSON
 * text, so what is cached is exactly what a reader of the file will get.
 */
export function makeSlot(key: string, entry: Record<string, unknown>): Slot {
  assertEntry(entry, key);
  let pretty: string;
  try {
    pretty = JSON.stringify(entry, null, 2);
  } catch (error) {
    throw new HubError("E_INVALID_ENTRY", `entry "${key}" is not JSON-serializable: ${(error as Error).message}`, { cause: error });
  }
  const normalized = JSON.parse(pretty) as SessionEntry;
  return { entry: normalized, line: `  ${JSON.stringify(key)}: ${pretty.replaceAll("\n", "\n  ")}` };
}

/**
 * The whole file, with a batch's pending `changes` applied (`null` deletes; new keys go at
 * the end): identical to `JSON.stringify(store, null, 2)` of the result, in the map's order.
 * Only entries without a cached `line` are stringified.
 */
export function serializeStore(slots: ReadonlyMap<string, Slot>, changes: ReadonlyMap<string, Slot | null> = new Map()): string {
  const lines: string[] = [];
  const push = (key: string, slot: Slot) => {
    slot.line ??= entryLine(key, slot.entry);
    lines.push(slot.line);
  };
  for (const [key, slot] of slots) {
    const changed = changes.get(key);
    if (changed === undefined) push(key, slot);
    else if (changed !== null) push(key, changed);
  }
  for (const [key, slot] of changes) {
    if (slot !== null && !slots.has(key)) push(key, slot);
  }
  return lines.length === 0 ? "{}" : `{\n${lines.join(",\n")}\n}`;
}
