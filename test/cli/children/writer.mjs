// Another process writing to a store through the library, for the live-view tests. Usage:
//   node writer.mjs <stateDir> '<json list of steps>'
// Steps: { "append": key, "text": ..., "meta"?: {...} } appends to the key's current session
// (a new one when absent); { "delete": key }; { "patch": key, "fields": {...} }.
// Prints "done" when every step is committed.
import { openFileBackend } from "../../../dist/backend/file/index.js";

const [stateDir, stepsJson] = process.argv.slice(2);
const backend = openFileBackend({ stateDir, durable: false });
for (const step of JSON.parse(stepsJson)) {
  if (step.append !== undefined) {
    const entry = await backend.get(step.append);
    const sessionId = entry?.sessionId ?? `s-${process.pid}-${Date.now()}`;
    await backend.append(step.append, sessionId, [{ role: "user", content: step.text, ...(step.meta ? { meta: step.meta } : {}) }]);
  } else if (step.delete !== undefined) {
    await backend.delete([step.delete]);
  } else if (step.patch !== undefined) {
    await backend.update(step.patch, (draft) => draft.patch(step.patch, step.fields));
  }
}
await backend.close();
console.log("done");
