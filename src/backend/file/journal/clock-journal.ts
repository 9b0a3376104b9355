/**
 * The activity clock journal, `sessions.json.clock`: one JSON line per record
 * `{"k":key,"s":sessionId,"t":at}`, appended instead of rewriting the whole store when a
 * message only moves an entry's `updatedAt`. Records are an idempotent max-merge per (key,
 * sessionId): replaying one, or reading it twice, changes nothing; a record whose session is
 * no longer the entry's is ignored; a torn last line is ignored.
 *
 * A record is not fsynced (one fsync per message saved): it is written to the page cache,
 * where every process sees it at once and a killed process cannot lose it; only a power loss
 * can, and then the clock lags by at most what was not folded yet (`activityFlushMs`: every
 * fold is an fsynced write of `sessions.json`). The message itself is in its fsynced
 * transcript, which is the truth: an idle or daily reset is confirmed against it, so a lost
 * record can never cause a spurious reset.
 *
 * Every locked write of the store (session-store.ts) first renames the journal to
 * `sessions.json.clock.1` (creates that name empty when there is none), decides and writes
 * with it folded into `sessions.json`, then removes `.clock.1`. An appender that finds, after
 * its write, that the path no longer names the file it wrote to writes its records again to
 * the current journal (harmless: idempotent); `append` resolves false when `.clock.1` existed
 * after the write (a locked write may have decided without the record: the caller then takes
 * the locked path). Readers read `.clock`, then `.clock.1`, then `sessions.json`: whichever
 * step of a compaction they meet, every acknowledged record is in one of the three.
 */
import fs from "node:fs";
import path from "node:path";
import { isErrnoCode } from "../../../errors.js";
import { FILE_MODE } from "../fs/atomic.js";
import { ioFailure } from "../fs/fs-util.js";
import { syncDir } from "../transcripts/transcript-file.js";
import { idOf, journalPathOf, readRecords, rotatedPathOf, statOrNull, type ClockRecord } from "./clock-record.js";

export { journalPathOf, rotatedPathOf, type ClockRecord } from "./clock-record.js";

interface Waiter {
  record: ClockRecord;
  line: string;
  resolve: (quiet: boolean) => void;
  reject: (error: unknown) => void;
}

export class ClockJournal {
  readonly file: string;
  readonly rotated: string;
  /** `key \0 sessionId` -> the newest time recorded. */
  private latestOf = new Map<string, number>();
  /** Byte offset read so far, per file id. */
  private cursors = new Map<string, number>();
  private fd: number | undefined;
  private fdId = "";
  private waiting: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  /** Bytes in the journal after our last append. */
  size = 0;
  /** At the last look: the id of `.clock` (undefined: none), and whether `.clock.1` existed. */
  private lastId: string | undefined;
  private rotatedSeen = true;

  constructor(storePath: string, private readonly durable: boolean) {
    this.file = journalPathOf(storePath);
    this.rotated = rotatedPathOf(storePath);
  }

  /** The newest recorded time of `sessionId` under `key`, if any (after `refresh`). */
  latest(key: string, sessionId: string): number | undefined {
    return this.latestOf.get(`${key}\u0000${sessionId}`);
  }

  /** Every recorded (key, sessionId, newest time) (after `refresh`). */
  *records(): Iterable<ClockRecord> {
    for (const [id, t] of this.latestOf) {
      const cut = id.indexOf("\u0000");
      yield { k: id.slice(0, cut), s: id.slice(cut + 1), t };
    }
  }

  /** Records to fold (after `refresh`). */
  get pending(): boolean {
    return this.latestOf.size > 0;
  }

  /** Whether `.clock.1` was there at the last look (after `refresh`): a compaction under way, or one that crashed. */
  get setAside(): boolean {
    return this.rotatedSeen;
  }

  /**
   * Reads what was appended since the last look (`.clock`, then `.clock.1`). When a file read
   * before is gone, a compaction folded it into the store: everything is read afresh.
   */
  refresh(): void {
    if (this.readFiles()) return;
    this.latestOf = new Map();
    this.cursors = new Map();
    this.readFiles();
  }

  /**
   * Reads both files; false when a file read before has disappeared. `.clock.1` is not looked
   * for when the last look found none and `.clock` is still the same file: only a rotation
   * (which renames `.clock` away) or a missing `.clock` makes one.
   */
  private readFiles(): boolean {
    const seen = new Set<string>();
    const before = this.lastId;
    for (const file of [this.file, this.rotated]) {
      const rotated = file === this.rotated;
      if (rotated && !this.rotatedSeen && before !== undefined && seen.has(before)) continue;
      const stat = statOrNull(file);
      if (rotated) this.rotatedSeen = stat !== null;
      if (stat === null) {
        if (!rotated) this.lastId = undefined;
        continue;
      }
      const id = idOf(stat);
      if (!rotated) this.lastId = id;
      seen.add(id);
      let offset = this.cursors.get(id) ?? 0;
      if (Number(stat.size) < offset) offset = 0; // cannot happen (never truncated); read again
      if (Number(stat.size) > offset) offset = readRecords(file, offset, Number(stat.size), (record) => this.merge(record));
      this.cursors.set(id, offset);
    }
    for (const id of this.cursors.keys()) if (!seen.has(id)) return false;
    return true;
  }

  private merge(record: ClockRecord): void {
    const id = `${record.k}\u0000${record.s}`;
    const known = this.latestOf.get(id);
    if (known === undefined || record.t > known) this.latestOf.set(id, record.t);
  }

  /**
   * Appends a record; resolves once it is written (not fsynced: see above) to the file the
   * journal path names. Records queued meanwhile share the next write. Resolves
   * false when a compaction was under way after the write (`.clock.1` existed): the caller
   * cannot know whether that compaction's decisions saw the record.
   */
  append(record: ClockRecord): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const own = { k: record.k, s: record.s, t: record.t };
      this.waiting.push({ record: own, line: `${JSON.stringify(own)}\n`, resolve, reject });
      this.startFlush();
    });
  }

  /**
   * Starts writing the waiting records unless a write is under way. A record queued after the
   * last batch but before the flush ended (its caller resumed first) starts the next one.
   */
  private startFlush(): void {
    this.flushing ??= this.flush().finally(() => {
      this.flushing = undefined;
      if (this.waiting.length > 0) this.startFlush();
    });
  }

  private async flush(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0);
      try {
        const bytes = Buffer.from(batch.map((w) => w.line).join(""));
        await this.write(bytes);
        for (const w of batch) this.merge(w.record);
        // Read up to just before our bytes: they are merged, no need to read them back.
        if ((this.cursors.get(this.fdId) ?? 0) === this.size - bytes.length) this.cursors.set(this.fdId, this.size);
        const quiet = statOrNull(this.rotated) === null;
        for (const w of batch) w.resolve(quiet);
      } catch (error) {
        this.closeFd();
        for (const w of batch) w.reject(ioFailure("append to", this.file, error));
      }
    }
  }

  /** Writes `bytes` until they are in the file the journal path names after the write. */
  private async write(bytes: Buffer): Promise<void> {
    for (;;) {
      const created = this.openFd();
      const fd = this.fd as number;
      for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done, bytes.length - done);
      // No fsync (see the header): the record is a hint the transcript backs; only its creation is synced once.
      if (created && this.durable) await syncDir(path.dirname(this.file));
      const now = statOrNull(this.file);
      if (now !== null && idOf(now) === this.fdId) {
        this.size = Number(now.size);
        return;
      }
      // Compacted while we wrote: the records go again to the journal that is current now.
      this.closeFd();
    }
  }

  /** Opens the journal for appending when not open; true when this call created it. */
  private openFd(): boolean {
    if (this.fd !== undefined) return false;
    const c = fs.constants;
    let created = true;
    let fd: number;
    try {
      fd = fs.openSync(this.file, c.O_WRONLY | c.O_APPEND | c.O_CREAT | c.O_EXCL, FILE_MODE);
    } catch (error) {
      if (!isErrnoCode(error, "EEXIST")) throw error;
      created = false;
      fd = fs.openSync(this.file, c.O_WRONLY | c.O_APPEND, FILE_MODE);
    }
    this.fd = fd;
    this.fdId = idOf(fs.fstatSync(fd, { bigint: true }));
    return created;
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    fs.closeSync(fd);
  }

  /** Waits for appends in flight. */
  async settle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /**
   * The first step of a locked write: the journal becomes `.clock.1` (an empty marker when
   * there is none), unless a crashed one left it (then both are folded and `.clock` stays).
   */
  rotate(): void {
    try {
      if (statOrNull(this.rotated) !== null) return;
      if (statOrNull(this.file) !== null) fs.renameSync(this.file, this.rotated);
      else fs.closeSync(fs.openSync(this.rotated, "wx", FILE_MODE)); // the marker alone
    } catch (error) {
      if (isErrnoCode(error, "ENOENT")) return; // no sessions directory yet: no journal, no appender
      throw ioFailure("rotate", this.file, error);
    }
  }

  /** The last step of a compaction, once the fold is in sessions.json: `.clock.1` goes. */
  removeRotated(): void {
    try {
      fs.unlinkSync(this.rotated);
    } catch (error) {
      if (!isErrnoCode(error, "ENOENT")) throw ioFailure("remove", this.rotated, error);
    }
    this.size = 0;
  }

  close(): void {
    this.closeFd();
  }
}
