// Child process of the cross-process run tests: opens a hub on the state dir and runs the
// plan's messages (all at once) in one conversation with hub.run. Each turn appends
// "<start> <end> <pid> <id>" (ms, high resolution) to the log once it has replied, and prints
// "started <id>" when it begins. hold: "none" (sleep sleepMs, reply), "signal" (wait for the
// turn's signal, then print "aborted <id>"), "forever" (never finish).
// argv: <state dir> <JSON config> <JSON { ids, log, hold, sleepMs }>
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { createHub } from "../../../dist/hub.js";

const [stateDir, configText, planText] = process.argv.slice(2);
const plan = JSON.parse(planText);
const hub = await createHub({ stateDir, config: JSON.parse(configText), durable: false, onWarning: () => undefined });
const clock = () => performance.timeOrigin + performance.now();
process.stdout.write("ready\n");

async function agent(turn) {
  const id = turn.messages.at(-1).message.meta.gatewayMessageId;
  const start = clock();
  process.stdout.write(`started ${id}\n`);
  if (plan.hold === "forever") await new Promise(() => setInterval(() => undefined, 1000));
  if (plan.hold === "signal") {
    await new Promise((resolve) => turn.signal.addEventListener("abort", resolve, { once: true }));
    process.stdout.write(`aborted ${id}\n`);
    throw turn.signal.reason;
  }
  await sleep(plan.sleepMs ?? 0);
  await turn.reply(`re: ${turn.text}`);
  fs.appendFileSync(plan.log, `${start} ${clock()} ${process.pid} ${id}\n`);
}

const results = await Promise.all(plan.ids.map((id) => hub.run({ channel: "telegram", chatType: "direct", peerId: "111", messageId: id, text: `text ${id}` }, agent)));
await hub.close();
process.stdout.write(`result ${JSON.stringify(results.map((r) => (r.reason ? `${r.status}:${r.reason}` : r.status)))}\n`);
process.stdout.write("done\n");
