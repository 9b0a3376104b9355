// One of N concurrent writers: `node updater.mjs <store> <worker> <rounds> <sharedKeys>`.
// Each round increments every shared counter (and this worker's tally on it) and creates one
// key of its own, issued together so they coalesce; every third round goes one update at a time.
import { openSessionStore } from "../../../../dist/backend/file/store/session-store.js";

const [file, worker, roundsArg, sharedArg] = process.argv.slice(2);
const rounds = Number(roundsArg);
const shared = Number(sharedArg);
const store = openSessionStore({ path: file, lockTimeoutMs: 60_000, onWarning: (w) => console.log(`warn ${w.code} ${w.message}`) });

const bump = (key) =>
  store.update(key, (current) => ({
    count: (current?.count ?? 0) + 1,
    [`by-${worker}`]: (current?.[`by-${worker}`] ?? 0) + 1,
  }));

for (let round = 0; round < rounds; round++) {
  const own = () => store.update(`worker:${worker}:${round}`, { worker, round });
  if (round % 3 === 2) {
    for (let s = 0; s < shared; s++) await bump(`shared:${s}`);
    await own();
  } else {
    const ops = [];
    for (let s = 0; s < shared; s++) ops.push(bump(`shared:${s}`));
    ops.push(own());
    await Promise.all(ops);
  }
}
await store.close();
console.log(`done ${store.stats.writes}`);
