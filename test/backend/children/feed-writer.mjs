// Another process for the change-feed tests: creates, updates, resets and deletes sessions,
// appends messages, and hand-edits sessions.json with bursts of atomic renames. Prints one
// JSON line at the end: the ids of every message it appended, by key and session.
import fs from "node:fs/promises";
import path from "node:path";
import { openFileBackend } from "../../../dist/backend/file/index.js";

const [stateDir, keyCount, rounds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const backend = openFileBackend({ stateDir, durable: false });
const keys = Array.from({ length: keyCount }, (_, i) => `agent:main:telegram:dm:k${i}`);
const appended = [];

async function handEdit(label) {
  // What an operator's editor or another tool does: write a temp file, rename it over.
  const file = backend.path;
  const store = JSON.parse(await fs.readFile(file, "utf8"));
  store[keys[0]].label = label;
  const temp = path.join(path.dirname(file), `edit-${process.pid}.tmp`);
  await fs.writeFile(temp, JSON.stringify(store, null, 2));
  await fs.rename(temp, file);
}

for (let round = 0; round < rounds; round++) {
  for (const key of keys) {
    const entry = await backend.get(key);
    const sessionId = entry?.sessionId ?? `s-${key.slice(-2)}-0`;
    const stored = await backend.append(key, sessionId, [{ role: "user", content: `${key} r${round}` }]);
    appended.push(...stored.map((m) => ({ key, sessionId, id: m.id })));
  }
  if (round % 4 === 3) {
    const key = keys[round % keys.length];
    await backend.update(key, (draft) => {
      const current = draft.get(key);
      const { sessionFile, ...kept } = current; // a new session gets its own transcript
      return draft.set(key, { ...kept, sessionId: `s-${key.slice(-2)}-${round}`, previousSessionIds: [current.sessionId, ...(current.previousSessionIds ?? [])] });
    });
  }
  if (round % 5 === 0) for (let i = 0; i < 5; i++) await handEdit(`edit ${round}.${i}`);
  await backend.update("agent:main:telegram:dm:temp", (draft) => draft.patch("agent:main:telegram:dm:temp", { label: `r${round}` }));
  if (round % 2 === 1) await backend.delete(["agent:main:telegram:dm:temp"]);
}
await backend.close();
console.log(JSON.stringify({ appended }));
