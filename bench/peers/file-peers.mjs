// Two file contenders: the floor (the round's transcript bytes appended to a held fd, each
// append fsync'd: nothing can be durable for less) and the naive clawdbot algorithm (per
// message: read the whole sessions.json, JSON.parse, change the entry, JSON.stringify(store,
// null, 2), write a temp file and rename it; made durable like the others with an fsync of
// the temp file and of the transcript append, which clawdbot itself skips).
import fs from "node:fs/promises";
import path from "node:path";
import { REPLY_TEXT, USER_TEXT, keyOf, messageLine, newLineId, replyMeta, routeOf, userMeta } from "./workload.mjs";

export async function openFloor(dir) {
  await fs.mkdir(dir, { recursive: true });
  const handle = await fs.open(path.join(dir, "floor.jsonl"), "a", 0o600);
  const appendSync = async (line) => {
    await handle.write(line);
    await handle.sync();
  };
  return {
    name: "floor",
    async round(conv, seq, tag) {
      const now = Date.now();
      const first = newLineId();
      await appendSync(messageLine(first, null, "user", USER_TEXT, userMeta(conv, `${tag}-${conv}-${seq}`), now));
      await appendSync(messageLine(newLineId(), first, "assistant", REPLY_TEXT, replyMeta(), Date.now()));
    },
    close: () => handle.close(),
  };
}

export async function seedNaive(dir, store) {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, "sessions.json"), JSON.stringify(store, null, 2), { mode: 0o600 });
}

async function writeDurably(file, text, flag) {
  const handle = await fs.open(file, flag, 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function openNaive(dir) {
  const file = path.join(dir, "sessions.json");
  const seen = new Set(); // clawdbot de-duplicates in memory
  let queue = Promise.resolve(); // one writer at a time, as clawdbot's lock file ensures
  const lastIds = new Map();
  let tmpCounter = 0;

  const message = async (key, change, line) => {
    const store = JSON.parse(await fs.readFile(file, "utf8"));
    const entry = (store[key] = { ...store[key], ...change, updatedAt: Date.now() });
    const tmp = `${file}.${process.pid}.${++tmpCounter}.tmp`;
    await writeDurably(tmp, JSON.stringify(store, null, 2), "w");
    await fs.rename(tmp, file);
    const parent = lastIds.get(key) ?? null;
    const id = newLineId();
    lastIds.set(key, id);
    await writeDurably(path.join(dir, `${entry.sessionId}.jsonl`), line(id, parent), "a");
  };
  const serialized = (fn) => (queue = queue.then(fn, fn));

  return {
    name: "naive",
    async round(conv, seq, tag) {
      const messageId = `${tag}-${conv}-${seq}`;
      if (seen.has(messageId)) throw new Error(`naive: message ${messageId} reported as a duplicate`);
      seen.add(messageId);
      const key = keyOf(conv);
      await serialized(() => message(key, routeOf(conv), (id, parent) => messageLine(id, parent, "user", USER_TEXT, userMeta(conv, messageId), Date.now())));
      await serialized(() => message(key, {}, (id, parent) => messageLine(id, parent, "assistant", REPLY_TEXT, replyMeta(), Date.now())));
    },
    async close() {
      await queue;
    },
  };
}
