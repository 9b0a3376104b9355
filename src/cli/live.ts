/**
 * What the long-running commands (`transcript --follow`, `sessions --watch`, `dashboard`)
 * share: the file backend of the target store, and the signal that ends them (SIGINT,
 * SIGTERM, or stdout's reader going away, unless the io brings its own).
 */
import { openFileBackend, type FileBackend } from "../backend/file/index.js";
import { cacheTtlFromEnv, type CliIo, type Target } from "./command.js";
import { oneLine } from "./escape.js";

/** The file backend on the store a command names (the same store `openTargetStore` opens). */
export function openTargetBackend(target: Target, io: CliIo, options: { readOnly: boolean }): FileBackend {
  const ttl = cacheTtlFromEnv(io.env ?? process.env);
  return openFileBackend({
    path: target.storePath,
    stateDir: target.stateDir,
    agentId: target.agentId,
    readOnly: options.readOnly,
    ...(ttl === undefined ? {} : { cacheTtlMs: ttl }),
    ...(io.now ? { now: io.now } : {}),
    onWarning: (warning) => io.stderr(`hub: warning: ${oneLine(warning.message)} [${warning.code}]\n`),
  });
}

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
