// The per-round phase's contenders, each in its own process (round-worker.mjs), driven block
// by block. Separate processes keep one contender's garbage from being collected during
// another's rounds: the naive store makes 0.5-8 MB of strings per message, and in one shared
// heap its collections landed in the rounds of whoever ran next. The disk stays shared.
import { fork } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), "round-worker.mjs");

/** Starts `name`'s process on `dir`; resolves once the contender is open. */
export async function openRoundProcess(name, dir) {
  const child = fork(WORKER, [name, dir], { stdio: ["ignore", "inherit", "pipe", "ipc"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const reply = () =>
    new Promise((resolve, reject) => {
      const onExit = (code, signal) => reject(new Error(`${name} process exited (${signal ?? code}): ${stderr.trim().split("\n").at(-1) ?? ""}`));
      child.once("exit", onExit);
      child.once("message", (message) => {
        child.off("exit", onExit);
        if (message.error) reject(new Error(`${name}: ${message.error}`));
        else resolve(message);
      });
    });
  await reply();
  return {
    name,
    /** Times (ms) of one block of rounds (see round-worker.mjs). */
    async block(spec) {
      const answer = reply();
      child.send(spec);
      return (await answer).times;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const answer = reply();
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send({ close: true });
      await answer;
      await exited;
    },
    kill: () => child.kill("SIGKILL"),
  };
}
