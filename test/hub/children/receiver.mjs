// Child process for the claim-crash test: opens a hub on the state dir and receives the
// given messages one after another (SIGKILLed at a random point by the parent, or run to the
// end as the redelivering process). Prints "ready" once open, "done" at the end.
// argv: <state dir> <JSON [{ "peer": string, "ids": string[] }]>
import { createHub } from "../../../dist/hub.js";

const [stateDir, plan] = process.argv.slice(2);
const hub = await createHub({ stateDir, durable: false, onWarning: () => undefined });
process.stdout.write("ready\n");
for (const { peer, ids } of JSON.parse(plan)) {
  for (const messageId of ids) {
    await hub.receive({ channel: "telegram", chatType: "direct", peerId: peer, messageId, text: `text of ${messageId}` });
  }
}
await hub.close();
process.stdout.write("done\n");
