// Child process for the dedupe tests: waits for the go-file, claims every message id in
// the list concurrently, and prints the ids it won, one JSON array.
// argv: <go-file> <sessions dir> <comma-separated message ids> <now> [link: claims made as
// links to the claim batch, as a turn makes them]
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { claimInbound } from "../../../dist/backend/file/dedupe/dedupe.js";

const [go, dir, ids, now, mode] = process.argv.slice(2);
const store = { dir, durable: false, now: () => Number(now) };
process.stdout.write("ready\n");
while (!existsSync(go)) await sleep(2);
const list = ids.split(",");
const won = await Promise.all(list.map((messageId) => claimInbound(store, { channel: "telegram", peerId: "42", messageId }, { syncRecord: mode !== "link" })));
process.stdout.write(`${JSON.stringify(list.filter((_, i) => won[i]))}\n`);
