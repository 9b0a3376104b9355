/**
 * A crash between the de-duplication claim and the transcript append (issue 9.4): real child
 * processes receive messages and are SIGKILLed at random points (40 kills); then a fresh
 * process redelivers every message. Each message ends up in the transcripts exactly once:
 * an unfinished claim of a dead process does not swallow the redelivery, and a message that
 * reached the transcript is never appended again.
 */
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureDistBuilt } from "../support.js";
import { sessionsDir, useHub } from "./helpers.js";

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), "children", "receiver.mjs");
const KILLS = 40;
const PARALLEL = 4;
const PER_CHILD = 20;
const t = useHub();

interface Plan {
  peer: string;
  ids: string[];
}

/** Runs the receiver; kills it `killAfterMs` after it is ready (unless it finished). True when killed. */
function runReceiver(stateDir: string, plans: Plan[], killAfterMs?: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, stateDir, JSON.stringify(plans)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (killAfterMs !== undefined && out.startsWith("ready\n") && !out.includes("armed")) {
        out += "armed";
        setTimeout(() => child.kill("SIGKILL"), killAfterMs);
      }
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve(true);
      else if (code === 0 && out.includes("done")) resolve(false);
      else reject(new Error(`receiver exited with ${code ?? signal}: ${err}`));
    });
  });
}

/** How many times each gatewayMessageId appears in the live transcripts. */
async function countInTranscripts(dir: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const name of await fs.readdir(dir)) {
    if (!name.endsWith(".jsonl")) continue;
    for (const line of (await fs.readFile(path.join(dir, name), "utf8")).split("\n")) {
      let parsed: { type?: string; meta?: { gatewayMessageId?: string } };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        continue; // a line torn by a kill
      }
      const id = parsed.meta?.gatewayMessageId;
      if (parsed.type === "message" && id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

beforeAll(async () => {
  await ensureDistBuilt();
}, 120_000);

describe("SIGKILL between the claim and the append", () => {
  it(`every message is in the transcripts exactly once after ${KILLS} kills and a full redelivery`, async () => {
    const stateDir = t.dir();
    const plans: Plan[] = [];
    let kills = 0;
    for (let round = 0; kills < KILLS && round < 3 * KILLS; round++) {
      const batch = Array.from({ length: PARALLEL }, (_, i) => {
        const peer = `${round}${i}`;
        return { peer, ids: Array.from({ length: PER_CHILD }, (_, j) => `m-${peer}-${j}`) };
      });
      plans.push(...batch);
      const killed = await Promise.all(batch.map((plan) => runReceiver(stateDir, [plan], Math.floor(Math.random() * 150))));
      kills += killed.filter(Boolean).length;
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);

    expect(await runReceiver(stateDir, plans)).toBe(false);
    const counts = await countInTranscripts(sessionsDir(stateDir));
    const wrong = plans.flatMap((p) => p.ids).filter((id) => counts.get(id) !== 1).map((id) => `${id}: ${counts.get(id) ?? 0}`);
    expect(wrong).toEqual([]);
  }, 300_000);
});
