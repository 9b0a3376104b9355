// Writes in a tight loop until killed: `node crash-writer.mjs <store> <prefix> <lockTimeoutMs> <staleMs>`.
// Every write sets one new key and bumps the shared counter in the same mutation; each write
// is acknowledged on stdout ("ack <key>") only after its promise resolved (= on disk).
import { openSessionStore } from "../../../../dist/backend/file/store/session-store.js";

const [file, prefix, lockTimeoutMs, staleMs] = process.argv.slice(2);
const store = openSessionStore({
  path: file,
  lockTimeoutMs: Number(lockTimeoutMs),
  staleMs: Number(staleMs),
  onWarning: (w) => console.log(`warn ${w.code} ${w.message}`),
});

for (let i = 0; ; i++) {
  const key = `${prefix}:${i}`;
  await store.mutate((draft) => {
    const counter = draft.get("counter") ?? { sessionId: "counter", updatedAt: 0, count: 0 };
    draft.set("counter", { ...counter, count: counter.count + 1 });
    draft.set(key, { sessionId: `s-${prefix}-${i}`, updatedAt: i, payload: "x".repeat(200) });
  });
  process.stdout.write(`ack ${key}\n`);
}
