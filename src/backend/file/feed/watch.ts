/**
 * The file backend's change feed. It watches the sessions directory (atomic renames defeat a
 * watch on sessions.json itself), re-reads the store when it changed and diffs the entries,
 * and follows the transcript of each watched session by byte offset. A stat poll is the
 * safety net (and the only source in `poll` mode, for network filesystems and containers
 * where inotify is silent): a watcher that misses events still converges.
 */
import fs from "node:fs";
import path from "node:path";
import { HubError } from "../../../errors.js";
import type { SessionEntry } from "../../shared/entry.js";
import type { SessionStore, StoreWarning } from "../store/session-store.js";
import { resolveTranscriptPath, sessionFileOf } from "../transcripts/transcript-path.js";
import { ChangeQueue } from "./change-queue.js";
import { transcriptOf } from "../session-files.js";
import { openTail, readTail, type Tail } from "../transcript-tail.js";

export interface WatchSettings {
  /** `auto`: directory events plus a slow poll; `poll`: the poll alone. */
  mode: "auto" | "poll";
  pollMs: number;
  /** Changes held for a slow consumer before they collapse into one `resync`. */
  maxQueued: number;
  onWarning: (warning: StoreWarning) => void;
}

/** Coalesces the directory events of one burst of writes into one check. */
const SETTLE_MS = 15;

export class FileWatcher {
  readonly queue: ChangeQueue;
  private readonly root: string;
  private readonly entries = new Map<string, string>();
  private readonly tails = new Map<string, Tail>();
  /** Transcript file name → key, for directory events. */
  private readonly byName = new Map<string, string>();
  private readonly dirty = new Set<string>();
  private storeChanged = false;
  private sweep = false;
  private running: Promise<void> | undefined;
  private rerun = false;
  private soon: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private dirWatch: fs.FSWatcher | undefined;
  private stopped = false;

  constructor(
    private readonly store: SessionStore,
    private readonly settings: WatchSettings,
    private readonly keys: ReadonlySet<string> | undefined,
  ) {
    this.root = path.resolve(store.dir);
    this.queue = new ChangeQueue(settings.maxQueued);
  }

  /** Takes the baseline (changes before it are not reported), then says `resync`: read the state now. */
  async start(): Promise<void> {
    for (const { key, entry } of await this.store.list()) {
      if (!this.wanted(key)) continue;
      this.entries.set(key, JSON.stringify(entry));
      this.follow(await openTail(this.root, key, entry.sessionId, this.fileOf(key, entry), false));
    }
    if (this.stopped) return;
    this.queue.push({ type: "resync" });
    this.attach();
    this.poll = setInterval(() => {
      this.sweep = true;
      this.attach();
      this.trigger();
    }, this.settings.pollMs);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.soon);
    this.dirWatch?.close();
    this.dirWatch = undefined;
    this.queue.end();
  }

  private follow(tail: Tail): void {
    this.unfollow(tail.key);
    this.tails.set(tail.key, tail);
    this.byName.set(path.basename(tail.file), tail.key);
  }

  private unfollow(key: string): void {
    const tail = this.tails.get(key);
    if (tail === undefined) return;
    this.tails.delete(key);
    if (this.byName.get(path.basename(tail.file)) === key) this.byName.delete(path.basename(tail.file));
  }

  private wanted(key: string): boolean {
    return this.keys === undefined || this.keys.has(key);
  }

  private fileOf(key: string, entry: SessionEntry): string {
    return resolveTranscriptPath(this.root, { sessionId: entry.sessionId, sessionFile: sessionFileOf(key, entry) });
  }

  /** Watches the directory once it exists (auto mode); a failed watch leaves the poll. */
  private attach(): void {
    if (this.settings.mode === "poll" || this.dirWatch !== undefined || this.stopped || !fs.existsSync(this.root)) return;
    try {
      this.dirWatch = fs.watch(this.root, (_event, name) => this.onEvent(name));
    } catch (error) {
      this.warn(error);
      return;
    }
    this.dirWatch.on("error", (error) => {
      this.dirWatch?.close();
      this.dirWatch = undefined;
      this.warn(error);
    });
  }

  private onEvent(name: string | null): void {
    const key = name === null ? undefined : this.byName.get(name);
    if (key !== undefined) this.dirty.add(key);
    else this.storeChanged = true; // sessions.json, its temp files, a transcript of a new session
    if (name === null) this.sweep = true;
    this.trigger();
  }

  private trigger(): void {
    if (this.soon !== undefined || this.stopped) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.check();
    }, SETTLE_MS);
  }

  /** One check at a time; a trigger during a check runs another one after it. */
  private async check(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = this.checkOnce()
      .catch((error: unknown) => {
        this.warn(error);
        this.queue.push({ type: "resync" });
      })
      .finally(() => {
        this.running = undefined;
        if (this.rerun && !this.stopped) {
          this.rerun = false;
          void this.check();
        }
      });
    await this.running;
  }

  private async checkOnce(): Promise<void> {
    const sweep = this.sweep;
    const storeChanged = this.storeChanged || sweep;
    this.sweep = false;
    this.storeChanged = false;
    if (storeChanged) await this.diffEntries();
    const keys = sweep ? [...this.tails.keys()] : [...this.dirty];
    this.dirty.clear();
    for (const key of keys) {
      const tail = this.tails.get(key);
      if (tail === undefined || this.stopped) continue;
      await this.readMessages(tail);
    }
  }

  /**
   * Before a reset is reported: the rest of the old session, then every session that came
   * and went since (`previousSessionIds`), from their starts; then the new one is followed.
   */
  private async catchUp(key: string, entry: SessionEntry): Promise<void> {
    const file = this.fileOf(key, entry);
    const tail = this.tails.get(key);
    if (tail !== undefined && tail.file === file) {
      tail.sessionId = entry.sessionId; // a new id in the same file: keep reading where we were
      return;
    }
    if (tail !== undefined) await this.readMessages(tail);
    const previous = entry.previousSessionIds ?? [];
    const known = tail === undefined ? -1 : previous.indexOf(tail.sessionId);
    const between = (known === -1 ? (tail === undefined ? previous : []) : previous.slice(0, known)).slice().reverse();
    for (const sessionId of between) {
      await this.readMessages(await openTail(this.root, key, sessionId, transcriptOf(this.root, key, sessionId, undefined), true));
    }
    this.follow(await openTail(this.root, key, entry.sessionId, file, true));
  }

  private async readMessages(tail: Tail): Promise<void> {
    for (const message of await readTail(this.root, tail)) {
      this.queue.push({ type: "message", key: tail.key, sessionId: tail.sessionId, message });
    }
  }

  /** Reports created, changed, reset and deleted entries; a new session is followed from its start. */
  private async diffEntries(): Promise<void> {
    const seen = new Set<string>();
    for (const { key, entry } of await this.store.list()) {
      if (!this.wanted(key)) continue;
      seen.add(key);
      const json = JSON.stringify(entry);
      if (this.entries.get(key) === json) continue;
      this.entries.set(key, json);
      await this.catchUp(key, entry);
      this.queue.push({ type: "session", key, entry });
      this.dirty.add(key);
    }
    for (const key of [...this.entries.keys()]) {
      if (seen.has(key)) continue;
      this.entries.delete(key);
      this.unfollow(key);
      this.queue.push({ type: "session", key, entry: null });
    }
  }

  private warn(error: unknown): void {
    const code = error instanceof HubError ? error.code : "E_IO";
    this.settings.onWarning({ code, message: `watching ${this.root}: ${(error as Error).message}`, file: this.root });
  }
}
