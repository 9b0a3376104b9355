/**
 * The `EntryDraft` of the file backend's `update(keys, fn)`: the store's whole-file draft,
 * narrowed to the keys the caller named, so code above the seam never relies on locking
 * "everything" (which a database backend cannot do cheaply).
 */
import { randomUUID } from "node:crypto";
import { HubError, describeValue } from "../../errors.js";
import type { StoreDraft } from "./store/draft.js";
import { isPlainObject, mergePatch, type SessionEntry, type SessionPatch } from "../shared/entry.js";
import type { EntryDraft } from "../types.js";

export { keyList } from "../shared/arguments.js";

export function narrowDraft(draft: StoreDraft, keys: readonly string[], now: () => number): EntryDraft {
  const allowed = new Set(keys);
  const check = (key: string) => {
    if (!allowed.has(key)) {
      const named = keys.map((k) => JSON.stringify(k)).join(", ");
      throw new HubError("E_INVALID_ARGUMENT", `update(keys, fn) may only touch the keys it names (${named}), got ${describeValue(key)}`);
    }
  };
  return {
    get(key) {
      check(key);
      return draft.get(key);
    },
    set(key, entry) {
      check(key);
      return draft.set(key, entry);
    },
    patch(key, patch: SessionPatch) {
      check(key);
      if (!isPlainObject(patch)) throw new HubError("E_INVALID_ARGUMENT", `patch for "${key}" must be a plain object, got ${describeValue(patch)}`);
      const base = draft.get(key) ?? { sessionId: randomUUID(), updatedAt: now() };
      return draft.set(key, mergePatch(base, patch) as SessionEntry);
    },
    delete(key) {
      check(key);
      return draft.delete(key);
    },
  };
}
