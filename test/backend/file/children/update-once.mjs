// `node update-once.mjs <store> <key> <patch-json>`: one update from another process.
import { openSessionStore } from "../../../../dist/backend/file/store/session-store.js";

const [file, key, patch] = process.argv.slice(2);
const store = openSessionStore({ path: file });
const entry = await store.update(key, JSON.parse(patch));
await store.close();
process.stdout.write(`${JSON.stringify(entry)}\n`);
