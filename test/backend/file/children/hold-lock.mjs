// Takes the store's lock and holds it until killed: `node hold-lock.mjs <store>`.
import { acquireLock } from "../../../../dist/backend/file/lock/lock.js";

const [file] = process.argv.slice(2);
await acquireLock(file, { timeoutMs: 10_000, staleMs: 60_000 });
process.stdout.write("locked\n");
setInterval(() => {}, 60_000);
