// Corrupts the store and recovers it in a loop until killed: `node recover-loop.mjs <store> <corrupt-bytes-file>`.
// The store is corrupted by a rename (never torn); "corrupted" is printed once per round.
// The copies of the corrupt bytes each recovery keeps are removed again, so a long run does
// not fill the directory.
import { copyFileSync, renameSync, rmSync } from "node:fs";
import { openSessionStore } from "../../../../dist/backend/file/store/session-store.js";

const [file, corrupt] = process.argv.slice(2);
for (;;) {
  copyFileSync(corrupt, `${file}.in`);
  renameSync(`${file}.in`, file);
  process.stdout.write("corrupted\n");
  const store = openSessionStore({
    path: file,
    lockTimeoutMs: 10_000,
    staleMs: 60_000,
    onWarning: (warning) => {
      if (warning.file !== undefined && warning.file.includes(".corrupt.")) rmSync(warning.file, { force: true });
    },
  });
  await store.list();
  await store.close();
  await new Promise((resolve) => setTimeout(resolve, 10)); // serving the restored store for a moment
}
