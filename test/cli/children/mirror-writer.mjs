// A live file store for `hub import --follow` tests: appends, resets, patches and deletes on
// five keys, slowly enough that a follower runs beside it. Usage:
//   node mirror-writer.mjs <stateDir> <rounds> <pauseFile>
// After half the rounds it prints "half" and waits until <pauseFile> is gone (the test kills
// and restarts the follower meanwhile). Prints "done" when every step is committed.
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { openFileBackend } from "../../../dist/backend/file/index.js";

const [stateDir, roundsText, pauseFile] = process.argv.slice(2);
const rounds = Number(roundsText);
const backend = openFileBackend({ stateDir, durable: false });
const key = (i) => `agent:main:telegram:dm:${i % 5}`;
let fresh = 0;
const newId = () => `s-${process.pid}-${++fresh}`;

for (let i = 0; i < rounds; i++) {
  if (i === Math.floor(rounds / 2)) {
    console.log("half");
    while (fs.existsSync(pauseFile)) await sleep(20);
  }
  const k = key(i);
  const entry = await backend.get(k);
  if (entry !== undefined && i % 23 === 22) {
    // a reset: a new session id (and its own transcript file), the old one kept in previousSessionIds
    const { sessionFile: _old, ...rest } = entry;
    await backend.update(k, (d) => d.set(k, { ...rest, sessionId: newId(), updatedAt: Date.now(), previousSessionIds: [...(entry.previousSessionIds ?? []), entry.sessionId] }));
  } else if (entry !== undefined && i % 31 === 30) {
    await backend.delete([k]);
    continue;
  } else if (entry !== undefined && i % 7 === 6) {
    await backend.update(k, (d) => d.patch(k, { label: `round ${i}` }));
  }
  const sessionId = (await backend.get(k))?.sessionId ?? newId();
  await backend.append(k, sessionId, [{ role: "user", content: `m${i}` }, { role: "assistant", content: `r${i}` }]);
  if (i % 5 === 4) await sleep(5);
}
await backend.close();
console.log("done");
