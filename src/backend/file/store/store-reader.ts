/**
 * Reading sessions.json: lock-free, served from a per-process cache validated by a stat
 * fingerprint (and a TTL outside the lock); a corrupt file is recovered under the lock. The
 * modules for a missing or corrupt file are loaded only then: a listing never needs them.
 */
import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { HubError, isErrnoCode } from "../../../errors.js";
import { fingerprint, fingerprintOf, ioFailure, readWithFingerprint, tooLarge } from "../fs/atomic.js";
import type { HeldLock } from "../lock/lock.js";
import { parseStore, type ParsedStore, type Slot } from "./codec.js";
import type { StoreSettings } from "./store-settings.js";

interface Cache {
  fp: string | null;
  at: number;
  slots: Map<string, Slot>;
}

/**
 * Runs `fn` holding the store's cross-process lock; a failed release is a warning. The lock
 * module is loaded on the first write (a process that only reads never needs it).
 */
export async function withStoreLock<T>(settings: StoreSettings, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
  const { acquireLock } = await import("../lock/lock.js");
  const waitStart = performance.now();
  const lock = await acquireLock(settings.path, settings.lock);
  settings.observer?.observe("lockWait", performance.now() - waitStart);
  try {
    return await fn(lock);
  } finally {
    await lock.release().catch((error: unknown) => {
      settings.warn({ code: "E_LOCK_COMPROMISED", message: `releasing the lock on ${settings.path}: ${(error as Error).message}`, file: settings.path });
    });
  }
}

/**
 * `readWithFingerprint` without the thread pool, for a one-shot reader that has nothing else to
 * do meanwhile (the CLI's listing): a 5 MB store is one read instead of ten round trips.
 */
function readWithFingerprintSync(file: string, maxBytes: number): { text: string; fp: string } | null {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return null;
    throw ioFailure("open", file, error);
  }
  try {
    const stat = fstatSync(fd, { bigint: true });
    if (stat.size > BigInt(maxBytes)) throw tooLarge(file, Number(stat.size), maxBytes);
    const bytes = readFileSync(fd);
    if (bytes.length > maxBytes) throw tooLarge(file, bytes.length, maxBytes);
    return { text: bytes.toString("utf8"), fp: fingerprintOf(stat) };
  } catch (error) {
    throw ioFailure("read", file, error);
  } finally {
    closeSync(fd);
  }
}

export class StoreReader {
  private cache: Cache | undefined;
  private invalidReported = "";
  private missingReported = false;
  private reading: { fp: string | null; result: Promise<Map<string, Slot> | HubError> } | undefined;

  /** `syncRead`: read the file without the thread pool (a one-shot reader: see readWithFingerprintSync). */
  constructor(
    private readonly settings: StoreSettings,
    private readonly stats: { diskReads: number },
    private readonly options: { syncRead?: boolean } = {},
  ) {}

  /** The cached store when it was read at fingerprint `fp`. */
  cachedAt(fp: string | null): Map<string, Slot> | undefined {
    return this.cache?.fp === fp ? this.cache.slots : undefined;
  }

  /** Makes `slots` (the store as written at `fp`) the cached copy. */
  adopt(slots: Map<string, Slot>, fp: string | null): Map<string, Slot> {
    this.cache = { fp, at: performance.now(), slots };
    return slots;
  }

  /** Drops the cached copy (after a failed write it may hold changes that never landed). */
  forget(): void {
    this.cache = undefined;
  }

  private cacheValid(fp: string | null, insideLock: boolean): boolean {
    if (this.cache === undefined || this.settings.ttl === 0 || this.cache.fp !== fp) return false;
    // Inside the lock the fingerprint alone proves that no one else wrote.
    return insideLock || performance.now() - this.cache.at < this.settings.ttl;
  }

  /** The store for a lock-free read; a corrupt file is recovered under the lock. */
  async readSlots(): Promise<Map<string, Slot>> {
    const fp = await fingerprint(this.settings.path);
    if (this.cacheValid(fp, false)) return (this.cache as Cache).slots;
    // Concurrent readers that saw the same file share one read and parse (a herd of calls on
    // a big store would otherwise hold one copy each). Only a read begun after that same
    // fingerprint was seen is joined, so nobody is served bytes older than what they saw.
    if (this.reading?.fp !== fp) {
      const reading = { fp, result: this.readFile() };
      this.reading = reading;
      void reading.result.finally(() => {
        if (this.reading === reading) this.reading = undefined;
      }).catch(() => undefined); // the readers handle the failure
    }
    const parsed = await this.reading.result;
    if (parsed instanceof HubError) {
      if (this.settings.readOnly || parsed.code === "E_NOT_A_STORE") throw parsed;
      return withStoreLock(this.settings, () => this.loadLocked());
    }
    return parsed;
  }

  /** The store as it is on disk now; call only while holding the lock. */
  async loadLocked(): Promise<Map<string, Slot>> {
    if (this.cacheValid(await fingerprint(this.settings.path), true)) return (this.cache as Cache).slots;
    const parsed = await this.readFile();
    if (parsed instanceof HubError && parsed.code === "E_NOT_A_STORE") throw parsed;
    return parsed instanceof HubError ? this.recover(parsed) : parsed;
  }

  /** Reads and parses the file into the cache; a corrupt file comes back as its error. */
  private async readFile(): Promise<Map<string, Slot> | HubError> {
    const { path: file, maxBytes, forceRecovery, warn } = this.settings;
    const read = this.options.syncRead === true ? readWithFingerprintSync(file, maxBytes) : await readWithFingerprint(file, maxBytes);
    if (read === null) return this.readMissing();
    this.stats.diskReads++;
    let parsed: ParsedStore;
    try {
      parsed = parseStore(read.text, file);
    } catch (error) {
      if (error instanceof HubError && error.code === "E_CORRUPT_STORE") return forceRecovery ? error : (await import("./store-shape.js")).classifyUnparsable(file, read.text, error);
      throw error;
    }
    const reasons = parsed.invalid.map((i) => i.reason).join("; ");
    // Said once per distinct set of invalid entries, not on every re-read.
    if (reasons !== "" && reasons !== this.invalidReported) {
      warn({ code: "E_INVALID_ENTRY", message: `${file}: kept but ignored ${parsed.invalid.length} invalid entries: ${reasons}`, file });
    }
    this.invalidReported = reasons;
    return this.adopt(parsed.slots, read.fp);
  }

  /** A missing store: recovered when a backup exists, adopted empty (with a warning if copies of a corrupt one exist) otherwise. */
  private async readMissing(): Promise<Map<string, Slot> | HubError> {
    const { missingStoreState } = await import("./recovery.js");
    const state = await missingStoreState(this.settings.path);
    if (state instanceof HubError) return state;
    if (state === "warn" && !this.missingReported) {
      this.missingReported = true;
      const file = this.settings.path;
      this.settings.warn({ code: "E_CORRUPT_STORE", message: `${file} is missing and copies of a corrupt store lie beside it: starting empty`, file });
    }
    return this.adopt(new Map(), null);
  }

  /** Keeps the corrupt bytes, then restores the backup (or starts empty). Under the lock. */
  private async recover(error: HubError): Promise<Map<string, Slot>> {
    const { path: file, readOnly, now, durable, warn } = this.settings;
    if (readOnly) throw error;
    const { recoverStore } = await import("./recovery.js");
    const recovered = await recoverStore(file, error, { nowMs: now(), durable, warn });
    return this.adopt(recovered.slots, recovered.fp);
  }
}
