// The session-hub contender: `createHub` from the built public API, durable, on a state dir
// whose sessions.json is seeded with the suite's entries.
import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { createHub } from "../../dist/index.js";
import { AGENT_ID, REPLY_TEXT, inboundOf, keyOf } from "./workload.mjs";

const sessionsDir = (dir) => path.join(dir, "agents", AGENT_ID, "sessions");

/** Writes the store as clawdbot would: `JSON.stringify(store, null, 2)`. */
export async function seedHub(dir, store) {
  await fs.mkdir(sessionsDir(dir), { recursive: true });
  await fs.writeFile(path.join(sessionsDir(dir), "sessions.json"), JSON.stringify(store, null, 2), { mode: 0o600 });
}

export async function openHub(dir) {
  const hub = await createHub({ stateDir: dir, agentId: AGENT_ID, durable: true, config: {}, onWarning: () => {} });
  return {
    name: "hub",
    /** One round: the DM received (and stored), then the reply stored, both awaited. */
    async round(conv, seq, tag) {
      const received = await hub.receive(inboundOf(conv, seq, tag));
      if (received.duplicate) throw new Error(`hub: message ${tag}-${conv}-${seq} reported as a duplicate`);
      await hub.reply(received.sessionKey, { text: REPLY_TEXT });
    },
    close: () => hub.close(),
  };
}

/** Message lines in each conversation's current transcript (after every writer closed). */
export function countHubLines(dir, convs) {
  const store = JSON.parse(readFileSync(path.join(sessionsDir(dir), "sessions.json"), "utf8"));
  let lines = 0;
  for (const conv of convs) {
    const entry = store[keyOf(conv)];
    if (!entry) continue;
    const file = path.join(sessionsDir(dir), entry.sessionFile ?? `${entry.sessionId}.jsonl`);
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if (error.code !== "ENOENT") throw error;
    }
    for (const line of text.split("\n")) if (line.startsWith('{"type":"message"')) lines++;
  }
  return lines;
}

/** `hub sessions --json` as a user runs it: the built bin, a whole node process. */
export const hubListCommand = (repoRoot, dir) => [process.execPath, [path.join(repoRoot, "dist", "cli", "bin.js"), "sessions", "--json", "--all", "--state-dir", dir]];
