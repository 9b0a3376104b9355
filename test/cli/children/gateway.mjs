// A running gateway for the `hub status` metrics test: opens a hub on the state dir,
// registers a gateway, receives <count> messages and a redelivery of the first (so <count> + 1
// received, one a duplicate) and replies once, then
// prints "ready" and stays up (publishing every 100 ms) until killed or stdin closes.
// argv: <state dir> <gateway id> <count>
import { createHub } from "../../../dist/index.js";

const [stateDir, gatewayId, count] = process.argv.slice(2);
const hub = await createHub({ stateDir, durable: false, metricsPublishMs: 100, onWarning: () => undefined });
await hub.registerGateway({ gatewayId, name: "Test gateway", type: "telegram" });
for (let i = 0; i < Number(count); i++) {
  await hub.receive({ channel: "telegram", chatType: "direct", peerId: "42", messageId: `m${i}`, text: `message ${i}` });
}
await hub.receive({ channel: "telegram", chatType: "direct", peerId: "42", messageId: "m0", text: "message 0 again" });
await hub.reply("agent:main:telegram:dm:42", { text: "hello" });
process.stdout.write("ready\n");
process.stdin.resume();
process.stdin.on("end", async () => {
  await hub.close();
  process.exit(0);
});
