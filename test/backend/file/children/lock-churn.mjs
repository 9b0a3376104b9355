// Takes and releases the lock on <store> <count> times as fast as it can.
import { withLock } from "../../../../dist/backend/file/lock/lock.js";

const [file, countArg] = process.argv.slice(2);
for (let i = 0; i < Number(countArg); i++) {
  await withLock(file, { timeoutMs: 10_000, staleMs: 60_000 }, async () => {});
}
process.stdout.write("done\n");
