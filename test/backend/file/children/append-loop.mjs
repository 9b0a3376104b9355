// Child process for the kept-lock crash test: appends to one session without end, durable,
// and prints "acked <content>" once each append has resolved (SIGKILLed by the parent).
// argv: <store path> <session key> <name>
import { openSessionStore } from "../../../../dist/backend/file/store/session-store.js";
import { appendMessage } from "../../../../dist/backend/file/transcripts/transcript-append.js";

const [storePath, key, name] = process.argv.slice(2);
const store = openSessionStore({ path: storePath, durable: true });
process.stdout.write("ready\n");
for (let i = 0; ; i++) {
  const content = `${name}-${i}`;
  await appendMessage(store, key, { role: "user", content });
  process.stdout.write(`acked ${content}\n`);
}
