// Appends messages in a loop with growing timestamps, spread over shared keys:
// `node clock-writer.mjs <store> <name> <keys> <count|forever> <activityFlushMs> <compactEvery>`.
// Each append is acknowledged on stdout ("ack <key> <timestamp>") only after it resolved.
// With compactEvery > 0, every that many appends the process also folds the journal itself.
import { openSessionStore } from "../../../../dist/backend/file/store/session-store.js";
import { appendMessage } from "../../../../dist/backend/file/transcripts/transcript-append.js";

const [file, name, keys, count, flushMs, compactEvery] = process.argv.slice(2);
const store = openSessionStore({
  path: file,
  now: () => 1_000,
  activityFlushMs: Number(flushMs),
  onWarning: (w) => console.log(`warn ${w.code} ${w.message}`),
});
const total = count === "forever" ? Infinity : Number(count);
process.stdout.write("ready\n");
for (let i = 0; i < total; i++) {
  const key = `agent:main:clock:${i % Number(keys)}`;
  // Timestamps grow per process and interleave across processes (all below now + skew).
  const timestamp = 2_000 + i * 10 + Number(name);
  await appendMessage(store, key, { role: "user", content: `${name}-${i}`, timestamp });
  process.stdout.write(`ack ${key} ${timestamp}\n`);
  if (Number(compactEvery) > 0 && i % Number(compactEvery) === 0) await store.compact();
}
await store.close();
process.stdout.write("done\n");
