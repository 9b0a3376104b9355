/** Conformance: the run lease (one holder per conversation across instances), interrupts, release. */
import { describe, expect, it } from "vitest";
import type { Backend, RunLease, RunLeaseAbort } from "../../../src/backend/types.js";
import { codeOf, useBackend, type MakeBackend } from "./harness.js";

const key = "agent:main:telegram:dm:111";

/** Resolves with the signal's reason once it fires (the test's timeout bounds the wait). */
function fired(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener("abort", () => resolve(signal.reason), { once: true });
  });
}

async function held(backend: Backend, k = key): Promise<RunLease> {
  const lease = await backend.tryRun(k);
  if (lease === undefined) throw new Error(`expected to take the run lease of ${k}`);
  return lease;
}

export function describeRuns(makeBackend: MakeBackend): void {
  describe("run leases", () => {
    const use = useBackend(makeBackend);

    it("one holder per conversation; free again once released", async () => {
      const { backend } = use();
      const lease = await held(backend);
      expect(lease.key).toBe(key);
      expect(lease.signal.aborted).toBe(false);
      expect(await backend.tryRun(key)).toBeUndefined();
      const other = await held(backend, "agent:main:telegram:dm:222"); // another conversation is free
      await lease.release();
      await lease.release(); // idempotent
      const again = await held(backend);
      await Promise.all([again.release(), other.release()]);
    });

    it("excludes another instance on the same data (another process or replica)", async () => {
      const { backend, peer } = use();
      if (peer === undefined) return;
      const other = await peer();
      const lease = await held(backend);
      expect(await other.tryRun(key)).toBeUndefined();
      await lease.release();
      const theirs = await held(other);
      expect(await backend.tryRun(key)).toBeUndefined();
      await theirs.release();
    });

    it("of concurrent takers exactly one wins", async () => {
      const { backend, peer } = use();
      const others = peer === undefined ? [] : await Promise.all([peer(), peer()]);
      const takers = [backend, ...others, backend];
      const leases = await Promise.all(takers.map((b) => b.tryRun(key)));
      const won = leases.filter((l) => l !== undefined);
      expect(won).toHaveLength(1);
      await won[0]?.release();
    });

    it("interruptRun fires the holder's signal (from another instance) and is false when nothing runs", async () => {
      const { backend, peer } = use();
      const other = peer === undefined ? backend : await peer();
      expect(await other.interruptRun(key)).toBe(false);
      const lease = await held(backend);
      expect(await other.interruptRun(key)).toBe(true);
      const reason = (await fired(lease.signal)) as RunLeaseAbort;
      expect(reason.reason).toBe("interrupted");
      await lease.release();
      // The interrupt was for that holding only: the next one runs undisturbed.
      const next = await held(backend);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      expect(next.signal.aborted).toBe(false);
      await next.release();
    });

    it("refuses an empty key with E_INVALID_KEY", async () => {
      const { backend } = use();
      expect(await codeOf(backend.tryRun(""))).toBe("E_INVALID_KEY");
      expect(await codeOf(backend.interruptRun(" "))).toBe("E_INVALID_KEY");
    });
  });
}
