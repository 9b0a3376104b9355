/**
 * `hub.run` across real processes on one file backend: turns of one conversation never
 * overlap (timestamps written by the turns), an interrupt reaches a turn running in another
 * process, and a SIGKILLed holder's lease is taken over at once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { HubConfig } from "../../src/config/schema.js";
import { RUN_STALE_MS, runFileOf } from "../../src/backend/file/runs/run-lease.js";
import { ensureDistBuilt } from "../support.js";
import { sessionsDir } from "../hub/helpers.js";
import { useHub } from "../hub/helpers.js";
import { KEY, gate, message, statuses, transcript } from "./helpers.js";

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), "children", "runner.mjs");
const t = useHub();

interface Child {
  process: ChildProcess;
  /** Resolves once the child printed `line` (rejects when it exits first). */
  printed(line: string): Promise<void>;
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function startChild(stateDir: string, config: object, plan: object): Child {
  const child = spawn(process.execPath, [CHILD, stateDir, JSON.stringify(config), JSON.stringify(plan)], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiters: Array<() => void> = [];
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
  const printed = (line: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (stdout.split("\n").includes(line)) resolve();
        else waiters.push(check);
      };
      void exited.then(({ code }) => reject(new Error(`child exited (${code}) before printing "${line}":\n${stdout}\n${stderr}`)));
      check();
    });
  return { process: child, printed, exited };
}

beforeAll(async () => {
  await ensureDistBuilt();
}, 120_000);

describe("hub.run across processes", () => {
  it("two processes, one conversation: turns never overlap and the transcript alternates", async () => {
    const log = path.join(t.dir(), "turns.log");
    const config = { messages: { queue: { mode: "followup", cap: 100 } } };
    const ids = (p: string) => Array.from({ length: 15 }, (_, i) => `${p}${i}`);
    const children = [startChild(t.dir(), config, { ids: ids("a"), log, sleepMs: 5 }), startChild(t.dir(), config, { ids: ids("b"), log, sleepMs: 5 })];
    for (const child of children) {
      const { code, stdout, stderr } = await child.exited;
      expect(code, stderr).toBe(0);
      expect(stdout).toContain(`result ${JSON.stringify(Array(15).fill("done"))}`);
    }
    const turns = (await fs.readFile(log, "utf8"))
      .trim()
      .split("\n")
      .map((line) => line.split(" "))
      .map(([start, end, pid, id]) => ({ start: Number(start), end: Number(end), pid, id }))
      .sort((a, b) => a.start - b.start);
    expect(turns).toHaveLength(30);
    expect(new Set(turns.map((turn) => turn.pid)).size).toBe(2);
    for (let i = 1; i < turns.length; i++) expect(turns[i]?.start, `${turns[i]?.id} started before ${turns[i - 1]?.id} ended`).toBeGreaterThanOrEqual(turns[i - 1]?.end as number);
    const hub = await t.open();
    const lines = await transcript(hub);
    expect(lines).toHaveLength(60);
    lines.forEach((line, i) => expect(line.startsWith(i % 2 === 0 ? "user: text " : "assistant: re: text ")).toBe(true));
  });

  it("interrupt reaches a turn running in another process; the newest message runs next", async () => {
    const config: HubConfig = { messages: { queue: { mode: "interrupt" } } };
    const child = startChild(t.dir(), config, { ids: ["c1"], log: path.join(t.dir(), "log"), hold: "signal" });
    await child.printed("started c1");
    // The child runs on real time: so does this hub (a hub on the test clock would see the entry from the future).
    const hub = await t.open({ config, now: Date.now });
    const result = await hub.run(message(2), (turn) => turn.reply(`re: ${turn.text}`).then(() => undefined));
    expect(result.status).toBe("done");
    const { code, stdout, stderr } = await child.exited;
    expect(code, stderr).toBe(0);
    expect(stdout).toContain("aborted c1");
    expect(stdout).toContain(`result ${JSON.stringify(["interrupted:interrupted"])}`);
    expect(await transcript(hub)).toEqual(["user: text c1", "user: msg 2", "assistant: re: msg 2"]);
  });

  it("a holder killed with SIGKILL mid-turn does not hold the conversation", async () => {
    const child = startChild(t.dir(), {}, { ids: ["k1"], log: path.join(t.dir(), "log"), hold: "forever" });
    await child.printed("started k1");
    child.process.kill("SIGKILL");
    await child.exited;
    const hub = await t.open({ now: Date.now });
    const result = await hub.run(message(2), (turn) => turn.reply("ok").then(() => undefined));
    expect(statuses([result])).toEqual(["done"]);
  });

  it("a frozen holder (SIGSTOP) loses its stale lease: the conversation moves on, its turn learns it, its release frees nothing", async () => {
    const child = startChild(t.dir(), {}, { ids: ["f1"], log: path.join(t.dir(), "log"), hold: "signal" });
    await child.printed("started f1");
    child.process.kill("SIGSTOP");
    try {
      // Frozen past the stale time: instead of waiting RUN_STALE_MS, its lock is made that old.
      const lockDir = `${runFileOf(sessionsDir(t.dir()), KEY)}.lock`;
      const past = new Date(Date.now() - RUN_STALE_MS - 5_000);
      await fs.utimes(lockDir, past, past);
      const hub = await t.open({ now: Date.now });
      const held = gate();
      const started = gate();
      const running = hub.run(message(2), async (turn) => {
        started.open();
        await held.promise;
        await turn.reply("ok");
      });
      await started.promise;
      child.process.kill("SIGCONT");
      // Resumed, it finds at its next look (every 200 ms) that the lock has another owner: its turn's signal fires.
      await child.printed("aborted f1");
      const { code, stdout, stderr } = await child.exited;
      expect(code, stderr).toBe(0);
      expect(stdout).toContain(`result ${JSON.stringify(["interrupted:lost"])}`);
      // The lost holder's release left this process's lease in place.
      expect(await hub.backend.tryRun(KEY)).toBeUndefined();
      held.open();
      expect(statuses([await running])).toEqual(["done"]);
    } finally {
      child.process.kill("SIGCONT");
    }
  }, 60_000);
});
