/**
 * `watch` of the file backend: its settings (from the backend's options) and the async
 * iteration of one feed around a `FileWatcher`.
 */
import { HubError, describeValue } from "../../../errors.js";
import type { SessionStore, StoreWarning } from "../store/session-store.js";
import type { Change } from "../../types.js";
import { FileWatcher, type WatchSettings } from "./watch.js";

/** The watch settings of the backend's options, validated. */
export function watchSettingsOf(options: {
  watchMode?: "auto" | "poll" | undefined;
  watchPollMs?: number | undefined;
  onWarning?: ((warning: StoreWarning) => void) | undefined;
}): Omit<WatchSettings, "maxQueued"> {
  const mode = options.watchMode ?? "auto";
  if (mode !== "auto" && mode !== "poll") throw new HubError("E_INVALID_ARGUMENT", `watchMode must be "auto" or "poll", got ${describeValue(mode)}`);
  const pollMs = options.watchPollMs ?? (mode === "poll" ? 200 : 1000);
  if (!Number.isFinite(pollMs) || pollMs <= 0) throw new HubError("E_INVALID_ARGUMENT", `watchPollMs must be a positive number of ms, got ${describeValue(pollMs)}`);
  const onWarning = options.onWarning ?? ((w: StoreWarning) => process.emitWarning(w.message, { code: w.code }));
  return { mode, pollMs, onWarning };
}

/**
 * The feed of one `watch` call: the watcher starts when iteration starts (its first change is
 * `resync`) and stops when the consumer breaks, `signal` aborts, or `stopAll` is called.
 */
export async function* watchFeed(
  store: SessionStore,
  settings: WatchSettings,
  keys: ReadonlySet<string> | undefined,
  signal: AbortSignal | undefined,
  active: Set<FileWatcher>,
): AsyncGenerator<Change> {
  if (signal?.aborted) return;
  const watcher = new FileWatcher(store, settings, keys);
  const stop = () => watcher.stop();
  active.add(watcher);
  signal?.addEventListener("abort", stop, { once: true });
  try {
    await watcher.start();
    yield* watcher.queue.drain();
  } finally {
    signal?.removeEventListener("abort", stop);
    watcher.stop();
    active.delete(watcher);
  }
}
