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

export function processIo(): CliIo {
  const terminal = () => ({ columns: process.stdout.columns || 80, rows: process.stdout.rows || 24 });
  return { stdout: pipeWriter(process.stdout), stderr: pipeWriter(process.stderr), ...(process.stdout.isTTY ? { terminal } : {}) };
}
