// One process of the multi-process phase: opens its contender on the shared directory, warms
// its conversations up, says "ready", waits for "go", runs rounds on all of them at once
// for the window, reports, closes. Driven over IPC by bench/peers/processes.mjs.
import { openHub } from "./hub-peer.mjs";
import { openSqlite } from "./sqlite-peer.mjs";
import { manyAtOnce, warmUp } from "./phases.mjs";

const [peer, dir, convList, windowText, tag] = process.argv.slice(2);
const convs = convList.split(",").map(Number);
const contender = peer === "hub" ? await openHub(dir) : openSqlite(dir);
const warm = await warmUp(contender, convs, `${tag}w`);
process.send({ ready: true });
process.once("message", async () => {
  const { rounds, ms } = await manyAtOnce(contender, convs, Number(windowText), tag);
  await contender.close();
  process.send({ rounds: rounds + warm, measured: rounds, ms }, () => process.disconnect());
});
