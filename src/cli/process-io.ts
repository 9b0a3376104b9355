/**
 * The `CliIo` of the real process. A reader that goes away early (`hub sessions | head`)
 * makes writes fail with EPIPE: the rest of the output is dropped quietly and the command
 * finishes what it was doing (never cut off in the middle of a store write).
 */
import type { CliIo } from "./command.js";

/** A writer for `stream` that stops writing, without an error, once the reader has gone. */
function pipeWriter(stream: NodeJS.WriteStream): (text: string) => void {
  let readerGone = false;
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    readerGone = true;
  });
  return (text) => {
    if (!readerGone) stream.write(text);
  };
}

/**
 * Resolves once everything written to `stream` has been handed to the system, or the stream
 * has failed or closed. Pipes and files are written synchronously on Linux (then at once);
 * on macOS a pipe is asynchronous, and exiting before this would cut the output short.
 */
export function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      for (const event of ["drain", "close", "error"]) stream.off(event, done);
      resolve();
    };
    for (const event of ["drain", "close", "error"]) stream.on(event, done);
  });
}

export function processIo(): CliIo {
  const terminal = () => ({ columns: process.stdout.columns || 80, rows: process.stdout.rows || 24 });
  return { stdout: pipeWriter(process.stdout), stderr: pipeWriter(process.stderr), ...(process.stdout.isTTY ? { terminal } : {}) };
}
