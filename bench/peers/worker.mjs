// One process of the throughput phases: opens its contender on the (shared) directory, warms
// up (every conversation's first round, or one round to load the store when the
// conversations were warmed before), says "ready", waits for "go", runs rounds on all its
// conversations at once for the window, reports, closes. Driven over IPC by throughput.mjs.
// Usage: node worker.mjs <hub|sqlite|floor> <dir> <conv,conv,...> <windowMs> <tag> <all|one>
import { openFloor } from "./file-peers.mjs";
import { openHub } from "./hub-peer.mjs";
import { openSqlite } from "./sqlite-peer.mjs";
import { manyAtOnce, warmUp } from "./phases.mjs";

const OPEN = { hub: openHub, sqlite: openSqlite, floor: openFloor };

const [peer, dir, convList, windowText, tag, warm] = process.argv.slice(2);
const convs = convList.split(",").map(Number);
const contender = await OPEN[peer](dir);
const warmed = warm === "all" ? await warmUp(contender, convs, `${tag}w`) : (await contender.round(convs[0], 0, `${tag}w`), 1);
process.send({ ready: true });
process.once("message", async () => {
  const { rounds, ms } = await manyAtOnce(contender, convs, Number(windowText), tag);
  await contender.close();
  process.send({ rounds: rounds + warmed, measured: rounds, ms }, () => process.disconnect());
});
