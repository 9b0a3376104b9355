// One update that stalls inside the lock: `node stall-writer.mjs <store> <staleMs>`.
// Inside the mutation it prints "inside" and spins for a few seconds (the parent stops it there
// with SIGSTOP); then it prints "result ok" or "result <HubError code>".
import { writeSync } from "node:fs";
import { openSessionStore } from "../../../../dist/backend/file/store/session-store.js";

const [file, staleMs] = process.argv.slice(2);
const store = openSessionStore({ path: file, staleMs: Number(staleMs), lockTimeoutMs: 30_000, onWarning: () => undefined });
try {
  await store.mutate((draft) => {
    writeSync(1, "inside\n");
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      // a long GC or serialization; SIGSTOP lands here
    }
    draft.set("stalled", { sessionId: "stalled", updatedAt: 1 });
  });
  writeSync(1, "result ok\n");
} catch (error) {
  writeSync(1, `result ${error.code ?? error.message}\n`);
}
