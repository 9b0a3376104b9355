// One gateway replica for the multi-process Postgres test: its own backend (own pool) on the
// shared database, processing the deliveries it is given (JSON on argv) as turns, several at
// a time. "/new" resets the conversation. Prints one JSON line: what it processed.
import { openPostgresBackend } from "../../../dist/backend/postgres/index.js";

const [url, schema, deliveriesJson] = process.argv.slice(2);
const deliveries = JSON.parse(deliveriesJson);
const backend = await openPostgresBackend({ connectionString: url, schema });
let minted = 0;

function decide(messageId, text) {
  return (current) => {
    if (current === undefined) return { entry: { sessionId: `s-${process.pid}-${++minted}`, updatedAt: Date.now() }, value: "new" };
    if (!text.startsWith("/new")) return { value: "kept" };
    const previousSessionIds = [current.sessionId, ...(current.previousSessionIds ?? [])].slice(0, 20);
    return { entry: { ...current, sessionId: `s-${process.pid}-${++minted}`, updatedAt: Date.now(), previousSessionIds, resetBy: messageId }, value: "reset" };
  };
}

const processed = [];
let next = 0;
async function worker() {
  while (next < deliveries.length) {
    const { key, messageId, text } = deliveries[next++];
    const result = await backend.turn({
      key,
      claim: { identity: { channel: "telegram", peerId: key, messageId } },
      decide: decide(messageId, text),
      messages: [{ role: "user", content: text }],
    });
    if (!result.duplicate) processed.push({ messageId, value: result.value, sessionId: result.entry.sessionId });
  }
}
await Promise.all(Array.from({ length: 6 }, worker));
await backend.close();
console.log(JSON.stringify({ pid: process.pid, processed }));
