/**
 * The backend conformance suite: written only against the `Backend` interface, run by every
 * backend's test file (`describeBackendConformance("file", ...)`). A backend passes it, or
 * it is not a backend.
 */
import { describe } from "vitest";
import { describeClaims } from "./conformance/claims.js";
import { describeEntries } from "./conformance/entries.js";
import { describeMaintenance } from "./conformance/maintenance.js";
import type { MakeBackend } from "./conformance/harness.js";
import { describeReplicas } from "./conformance/replicas.js";
import { describeRuns } from "./conformance/runs.js";
import { describeTranscripts } from "./conformance/transcripts.js";
import { describeTurns } from "./conformance/turns.js";
import { describeWatch } from "./conformance/watch.js";

export type { BackendHandle, MakeBackend } from "./conformance/harness.js";

/**
 * Registers the suite for one backend. `makeBackend` opens a fresh, empty backend whose clock
 * is `options.now`; `cleanup` closes it (if the test did not) and removes its data. The
 * change feed is tested unless `live: false` (a backend without `watch`), the replica tests
 * unless `replicas: false` (no `peer()`); skipped parts are listed as skipped.
 */
export function describeBackendConformance(name: string, makeBackend: MakeBackend, options: { live?: boolean; replicas?: boolean } = {}): void {
  describe(`backend conformance: ${name}`, () => {
    describeEntries(makeBackend);
    describeTranscripts(makeBackend);
    describeClaims(makeBackend);
    describeTurns(makeBackend);
    describeMaintenance(makeBackend);
    describeRuns(makeBackend);
    (options.replicas === false ? describe.skip : describe)("replicas", () => describeReplicas(makeBackend));
    (options.live === false ? describe.skip : describe)("live", () => describeWatch(makeBackend));
  });
}
