/**
 * The view a queued mutation works on: reads fall through its own changes, then the changes
 * of the mutations before it in the same batch, then the loaded store. A mutation that throws
 * leaves no trace because its changes are merged only when it returns.
 */
import { HubError, describeValue } from "../../../errors.js";
import { makeSlot, type Slot } from "./codec.js";
import { isPlainObject, type SessionEntry } from "../../shared/entry.js";

/** What `store.mutate(fn)` hands to `fn`. Entries read from it are copies or frozen. */
export interface StoreDraft {
  has(key: string): boolean;
  /** A copy of the entry, free to modify. */
  get(key: string): SessionEntry | undefined;
  /** Validates and stores an entry; returns a copy of what will be written. */
  set(key: string, entry: SessionEntry): SessionEntry;
  /** Removes a key (also one whose stored value is invalid); true when something was removed. */
  delete(key: string): boolean;
  /** Every valid key, in file order. */
  keys(): string[];
  /** Every valid entry, frozen (read-only), in file order. */
  entries(): Array<[string, Readonly<SessionEntry>]>;
}

export type Changes = Map<string, Slot | null>;

export function assertKey(key: unknown, name = "key"): asserts key is string {
  if (typeof key !== "string" || key.trim() === "") {
    throw new HubError("E_INVALID_KEY", `${name} must be a non-empty string, got ${describeValue(key)}`);
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export class DraftLayer implements StoreDraft {
  readonly changes: Changes = new Map();

  constructor(
    private readonly base: ReadonlyMap<string, Slot>,
    private readonly committed: Changes,
  ) {}

  /** The change to `key` in this layer or the batch before it, if any. */
  private changed(key: string): Slot | null | undefined {
    if (this.changes.has(key)) return this.changes.get(key);
    if (this.committed.has(key)) return this.committed.get(key);
    return undefined;
  }

  private slot(key: string): Slot | undefined {
    const changed = this.changed(key);
    if (changed !== undefined) return changed ?? undefined;
    const stored = this.base.get(key);
    return stored && !stored.invalid ? stored : undefined;
  }

  has(key: string): boolean {
    return this.slot(key) !== undefined;
  }

  get(key: string): SessionEntry | undefined {
    const slot = this.slot(key);
    return slot ? structuredClone(slot.entry) : undefined;
  }

  set(key: string, entry: SessionEntry): SessionEntry {
    assertKey(key);
    if (!isPlainObject(entry)) {
      throw new HubError("E_INVALID_ENTRY", `entry "${key}" must be a plain object, got ${describeValue(entry)}`);
    }
    const slot = makeSlot(key, entry);
    this.changes.set(key, slot);
    return structuredClone(slot.entry);
  }

  delete(key: string): boolean {
    const existed = this.changed(key) === undefined ? this.base.has(key) : this.slot(key) !== undefined;
    if (existed) this.changes.set(key, null);
    return existed;
  }

  keys(): string[] {
    return this.entries().map(([key]) => key);
  }

  entries(): Array<[string, Readonly<SessionEntry>]> {
    const result: Array<[string, Readonly<SessionEntry>]> = [];
    const seen = new Set<string>();
    const visit = (key: string) => {
      if (seen.has(key)) return;
      seen.add(key);
      const slot = this.slot(key);
      if (slot) result.push([key, deepFreeze(slot.entry)]);
    };
    for (const key of this.base.keys()) visit(key);
    for (const key of this.committed.keys()) visit(key);
    for (const key of this.changes.keys()) visit(key);
    return result;
  }

  /** Folds this layer's changes into the batch's. */
  commitTo(target: Changes): void {
    for (const [key, slot] of this.changes) target.set(key, slot);
  }
}

/** Applies a batch's changes to the loaded map (in place; the map's order is the file's). */
export function applyChanges(slots: Map<string, Slot>, changes: Changes): void {
  for (const [key, slot] of changes) {
    if (slot === null) slots.delete(key);
    else slots.set(key, slot);
  }
}
