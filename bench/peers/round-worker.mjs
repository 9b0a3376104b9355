// One contender of the per-round phase, in a process of its own (round-process.mjs starts it):
// opens <peer> on <dir>, says "ready", then runs each block of rounds it is sent and answers
// with their times; "close" closes the contender and ends the process.
// Usage: node round-worker.mjs <hub|sqlite|floor|naive> <dir>
import { openFloor, openNaive } from "./file-peers.mjs";
import { openHub } from "./hub-peer.mjs";
import { openSqlite } from "./sqlite-peer.mjs";

const OPEN = { hub: openHub, sqlite: openSqlite, floor: openFloor, naive: openNaive };

const [peer, dir] = process.argv.slice(2);
const contender = await OPEN[peer](dir);

/** A block: rounds `first`.. on `conv`, until `rounds` are done or `blockMs` has passed (one round at least). */
async function runBlock({ conv, first, rounds, blockMs, tag }) {
  const times = [];
  const started = performance.now();
  for (let i = 0; i < rounds && (i === 0 || performance.now() - started < blockMs); i++) {
    const t0 = performance.now();
    await contender.round(conv, first + i, tag);
    times.push(performance.now() - t0);
  }
  return times;
}

process.on("message", (message) => {
  if (message.close) {
    contender.close().then(
      () => process.send({ closed: true }, () => process.disconnect()),
      (error) => process.send({ error: error.stack ?? String(error) }, () => process.disconnect()),
    );
    return;
  }
  runBlock(message).then(
    (times) => process.send({ times }),
    (error) => process.send({ error: error.stack ?? String(error) }),
  );
});
process.send({ ready: true });
