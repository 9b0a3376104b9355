// Child process for the stalled-appender test: appends `before` messages to one session
// (durable: the transcript's lock and fd are kept across them, each sync made on the event
// loop), stops itself (SIGSTOP) while still holding them, and once continued appends `after`
// more, printing "acked <content>" for each, then closes.
// argv: <store path> <session key> <name> <before> <after>
import { openSessionStore } from "../../../../dist/backend/file/store/session-store.js";
import { appendMessage } from "../../../../dist/backend/file/transcripts/transcript-append.js";

const [storePath, key, name, before, after] = process.argv.slice(2);
const store = openSessionStore({ path: storePath, durable: true });
const append = async (i) => {
  const content = `${name}-${i}`;
  await appendMessage(store, key, { role: "user", content });
  process.stdout.write(`acked ${content}\n`);
};
for (let i = 0; i < Number(before); i++) await append(i);
process.stdout.write("stopping\n", () => process.kill(process.pid, "SIGSTOP"));
await new Promise((resolve) => process.once("SIGCONT", resolve));
for (let i = Number(before); i < Number(before) + Number(after); i++) await append(i);
await store.close();
process.stdout.write("done\n");
