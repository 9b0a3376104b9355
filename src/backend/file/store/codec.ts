/**
 * sessions.json text <-> the in-memory map. Parsing tries `JSON.parse` first and JSON5 only
 * for a file that fails it. Writing produces exactly `JSON.stringify(store, null, 2)`, built
 * from per-entry byte fragments that are cached, so an update re-serializes only what changed.
 */
import { createRequire } from "node:module";
import { HubError } from "../../../errors.js";
import { assertEntry, isPlainObject, migrateLegacyFields, type SessionEntry } from "../../shared/entry.js";
import { rawMembers } from "./raw-members.js";

/** JSON5, loaded (synchronously) only for a file that is not plain JSON: most never need it. */
function parseJson5(text: string): unknown {
  const JSON5 = createRequire(import.meta.url)("json5") as typeof import("json5");
  return JSON5.parse(text);
}

/** One stored entry. */
export interface Slot {
  /** The entry; for an invalid slot, whatever the file held (kept so it is written back). */
  readonly entry: SessionEntry;
  /** Set when the stored value failed validation: hidden from readers, preserved on disk. */
  readonly invalid?: string;
  /** Its member text in the file (`  "key": {...}`) as UTF-8, filled on demand. */
  bytes?: Buffer;
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
      data = parseJson5(text);
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
  let raw: Map<string, string> | undefined;
  const keys = Object.keys(data);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = data[key];
    const object = isPlainObject(value);
    if (object && migrateLegacyFields(value)) migrated.push(key);
    try {
      if (!object) throw new HubError("E_INVALID_ENTRY", `entry "${key}" must be an object`);
      slots.set(key, readSlot(key, value));
    } catch (error) {
      if (!(error instanceof HubError)) throw error;
      invalid.push({ key, reason: error.message });
      // Kept byte for byte: stringified again when it can be, else cut from the text it came from.
      let bytes = stringifiedOrUndefined(key, value);
      if (bytes === undefined && !usedJson5) bytes = (raw ??= rawMembers(text)).get(key);
      if (bytes === undefined) throw new HubError("E_CORRUPT_STORE", `${file}: entry "${key}" cannot be kept (${error.message})`, { file });
      slots.set(key, { entry: value as SessionEntry, invalid: error.message, bytes: Buffer.from(`  ${bytes}`) });
    }
  }
  return { slots, usedJson5, migrated, invalid };
}

/**
 * The slot of a stored entry. A foreign entry without `updatedAt` (openclaw keeps such) reads
 * as `updatedAt: 0`; its bytes stay as they were until the entry itself is written.
 */
function readSlot(key: string, value: Record<string, unknown>): Slot {
  if (value.updatedAt !== undefined) {
    assertEntry(value, key);
    return { entry: value };
  }
  const entry = { ...value, updatedAt: 0 };
  assertEntry(entry, key);
  return { entry, bytes: Buffer.from(memberText(key, JSON.stringify(value, null, 2))) };
}

/** `"key": <value>` as JSON.stringify writes it (without the indent), undefined when it cannot. */
function stringifiedOrUndefined(key: string, value: unknown): string | undefined {
  try {
    return memberText(key, JSON.stringify(value, null, 2) ?? "null").slice(2);
  } catch (error) {
    if (error instanceof RangeError) return undefined; // nested too deep for the stack
    throw error;
  }
}

/** The member text of one entry (`  "key": {...}`), indented to sit at the top level of the store. */
function memberText(key: string, pretty: string): string {
  return `  ${JSON.stringify(key)}: ${pretty.replaceAll("\n", "\n  ")}`;
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
  return { entry: normalized, bytes: Buffer.from(memberText(key, pretty)) };
}

/**
 * Fills `bytes` of every slot that has none (after a read, all of them) with one
 * `JSON.stringify` of those entries, cut at the top-level members: in that text a newline
 * followed by exactly two spaces and a quote starts a top-level member, nothing else does
 * (deeper lines are indented by four or more). Much faster than one stringify per entry.
 */
function fillBytes(slots: ReadonlyMap<string, Slot>): void {
  // A null prototype: "__proto__" is an ordinary key here. Key order is that of any object.
  const missing: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, slot] of slots) if (slot.bytes === undefined) missing[key] = slot.entry;
  const keys = Object.keys(missing);
  if (keys.length === 0) return;
  const text = JSON.stringify(missing, null, 2);
  let start = 2; // after "{\n"
  for (const [i, key] of keys.entries()) {
    const end = i === keys.length - 1 ? text.length - 2 : text.indexOf(',\n  "', start);
    if (end < start) return; // Cannot happen; should it, serializeStore stringifies the rest one by one.
    (slots.get(key) as Slot).bytes = Buffer.from(text.slice(start, end));
    start = end + 2;
  }
}

/**
 * Fills the missing `bytes` of a large store a few thousand entries at a time, letting the
 * event loop run in between: a write of 500k entries must not freeze the process for seconds
 * (inside the lock that would stop the lock's refresh and let it go stale).
 */
export async function fillBytesInChunks(slots: ReadonlyMap<string, Slot>, chunkSize = 5_000): Promise<void> {
  let chunk = new Map<string, Slot>();
  for (const [key, slot] of slots) {
    if (slot.bytes !== undefined) continue;
    chunk.set(key, slot);
    if (chunk.size < chunkSize) continue;
    fillBytes(chunk);
    chunk = new Map();
    await new Promise((resolve) => setImmediate(resolve));
  }
  fillBytes(chunk);
}

/** An array-index key ("0".."4294967294"): a JS object lists these first, in numeric order. */
function isIndexKey(key: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1;
}

const OPEN = Buffer.from("{\n");
const SEPARATOR = Buffer.from(",\n");
const CLOSE = Buffer.from("\n}");

/**
 * The whole file as UTF-8, with a batch's pending `changes` applied (`null` deletes; new keys
 * go at the end): identical to `JSON.stringify(store, null, 2)` of the resulting object, whose
 * key order is the map's except that integer-like keys come first in numeric order (as in any
 * JS object, so clawdbot rewriting the file keeps it as it is). Entries are stringified only
 * when they have no cached `bytes`; the file is a concatenation of the cached bytes, never one
 * big string (building and encoding a multi-megabyte string per write costs ~5x more).
 */
export function serializeStore(slots: ReadonlyMap<string, Slot>, changes: ReadonlyMap<string, Slot | null> = new Map()): Buffer {
  fillBytes(slots);
  const members: Buffer[] = [];
  const indexed: Array<[index: number, bytes: Buffer]> = [];
  const push = (key: string, slot: Slot) => {
    slot.bytes ??= Buffer.from(memberText(key, JSON.stringify(slot.entry, null, 2)));
    if (isIndexKey(key)) indexed.push([Number(key), slot.bytes]);
    else members.push(slot.bytes);
  };
  for (const [key, slot] of slots) {
    const changed = changes.get(key);
    if (changed === undefined) push(key, slot);
    else if (changed !== null) push(key, changed);
  }
  for (const [key, slot] of changes) {
    if (slot !== null && !slots.has(key)) push(key, slot);
  }
  const ordered = indexed.length === 0 ? members : indexed.sort((a, b) => a[0] - b[0]).map(([, bytes]) => bytes).concat(members);
  if (ordered.length === 0) return Buffer.from("{}");
  const parts: Buffer[] = [OPEN];
  for (const [i, bytes] of ordered.entries()) {
    if (i > 0) parts.push(SEPARATOR);
    parts.push(bytes);
  }
  parts.push(CLOSE);
  return Buffer.concat(parts);
}
