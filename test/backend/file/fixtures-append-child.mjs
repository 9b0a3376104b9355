// Child process for the transcript tests: waits for the go-file, then appends `count`
// messages to one session in rounds of `round` concurrent appends.
// argv: <go-file> <store path> <session key> <child name> <count> <round>
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { openSessionStore } from "../../../dist/backend/file/store/session-store.js";
import { appendMessage } from "../../../dist/backend/file/transcripts/transcript-append.js";

const [go, storePath, key, name, count, round] = process.argv.slice(2);
const store = openSessionStore({ path: storePath, durable: false });
process.stdout.write("ready\n");
while (!existsSync(go)) await sleep(2);
for (let i = 0; i < Number(count); i += Number(round)) {
  const batch = [];
  for (let j = i; j < Math.min(i + Number(round), Number(count)); j++) {
    batch.push(appendMessage(store, key, { role: "user", content: `${name}-${j}`, meta: { senderId: name } }));
  }
  await Promise.all(batch);
}
await store.close();
process.stdout.write("done\n");
