/**
 * What the long-running commands (`transcript --follow`, `sessions --watch`, `dashboard`)
 * share: the backend of the target (`openTargetBackend`: a file store or Postgres), and the
 * signal that ends them (SIGINT, SIGTERM, or stdout's reader going away, unless the io
 * brings its own).
 */
import type { CliIo } from "./command.js";

export { openTargetBackend } from "./command.js";

/** Resolves once `signal` aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/**
 * The io's signal, else one that SIGINT, SIGTERM or an EPIPE on stdout aborts. `release`
 * removes the process handlers again.
 */
export function stopSignal(io: CliIo): { signal: AbortSignal; release: () => void } {
  if (io.signal !== undefined) return { signal: io.signal, release: () => undefined };
  const controller = new AbortController();
  const stop = () => controller.abort();
  const onPipeError = (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") stop();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  process.stdout.on("error", onPipeError);
  return {
    signal: controller.signal,
    release: () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      process.stdout.off("error", onPipeError);
    },
  };
}
