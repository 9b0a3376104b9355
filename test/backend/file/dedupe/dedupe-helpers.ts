/**
 * Shared by the dedupe tests: the test clock's epoch, and the stores a test claims in, whose
 * background work (a prune, the shards made ahead) is settled after each test, before its
 * temp dir goes.
 */
import { afterEach } from "vitest";
import { settleInboundPruning, type DedupeStore } from "../../../../src/backend/file/dedupe/dedupe.js";

export const HOUR = 60 * 60 * 1000;
export const T0 = Date.UTC(2026, 0, 1);

/** Returns `track`: call it on every store a test claims in. */
export function useDedupeStores(): (store: DedupeStore) => DedupeStore {
  const used = new Set<DedupeStore>();
  afterEach(async () => {
    await Promise.all([...used].map((store) => settleInboundPruning(store)));
    used.clear();
  });
  return (store) => {
    used.add(store);
    return store;
  };
}
