/**
 * The peers bench suite (bench/suites/peers.mjs) as a smoke run: `--quick --json` on tiny
 * stores, as a child process with its own TMPDIR. Checks the JSON shape, that every phase
 * ran, that no transcript line was lost, and that its temp dirs are gone. Figures (times,
 * rates, ratios) are never asserted: they are the machine's, not the code's.
 */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, ensureDistBuilt, useTempDir } from "../support.js";

const tmp = useTempDir("hub-bench-test-");

beforeAll(ensureDistBuilt, 120_000);

function runBench(args: string[], tmpdir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH ?? "", TMPDIR: tmpdir };
    execFile(process.execPath, [path.join(REPO_ROOT, "bench", "run.mjs"), "--only", "peers", ...args], { cwd: REPO_ROOT, env, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr });
    });
  });
}

const aNumber = expect.any(Number);
const latency = { rounds: aNumber, p50: aNumber, p90: aNumber };
const rate = { roundsPerSec: aNumber, runs: aNumber };

describe("npm run bench -- --only peers --quick --json", () => {
  it("reports every contender, phase and ratio on tiny stores, loses no line, and cleans its temp dirs", async () => {
    const run = await runBench(["--quick", "--json", "--sizes", "20,20-fat", "--reps", "1", "--conversations", "8"], tmp());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { results: Array<Record<string, unknown>> };
    expect(report.results).toHaveLength(1);
    const peers = report.results[0] as Record<string, any>;
    expect(peers.suite).toBe("peers");
    expect(peers.config).toEqual({ sizes: ["20", "20-fat"], reps: 1, conversations: 8, procs: 4, quick: true });
    const [lean, fat] = peers.figures.sizes;
    expect(lean).toMatchObject({ size: "20", entries: 20, fat: false, bytesPerEntry: aNumber, storeMB: aNumber });
    expect(fat).toMatchObject({ size: "20-fat", entries: 20, fat: true });
    expect(fat.bytesPerEntry).toBeGreaterThan(lean.bytesPerEntry * 10);
    for (const size of [lean, fat]) expect(size.perRound).toEqual({ hub: latency, sqlite: latency, floor: latency, naive: latency });
    expect(lean.concurrent).toEqual({ conversations: 8, peers: { hub: rate, sqlite: rate, floor: rate }, lostUpdates: { hub: 0, sqlite: 0 } });
    expect(lean.processes).toEqual({ procs: 4, conversations: 8, peers: { hub: rate, sqlite: rate }, lostUpdates: { hub: 0, sqlite: 0 } });
    expect(lean.listing).toEqual({ hub: { ms: aNumber, runs: 1 }, sqlite: { ms: aNumber, runs: 1 } });
    expect(fat.concurrent).toBeUndefined();
    expect(Object.keys(lean.ratios).sort()).toEqual(
      ["concurrentHubOverSqlite", "listingHubOverSqlite", "p50HubOverFloor", "p50HubOverSqlite", "p50NaiveOverSqlite", "p50SqliteOverFloor", "p90HubOverSqlite", "processesHubOverSqlite"].sort(),
    );
    expect(peers.ratios).toMatchObject({ p50HubOverSqlite20: aNumber, p50HubOverSqlite20Fat: aNumber, processesHubOverSqlite20: aNumber });
    expect(Object.keys(peers.targets).sort()).toEqual(["concurrentHubOverSqlite", "hubP50Growth", "listingHubOverSqlite", "p50HubOverSqlite", "processesHubOverSqlite"]);
    for (const met of Object.values(peers.met)) expect(typeof met).toBe("boolean");
    expect(await fs.readdir(tmp())).toEqual([]);
  }, 60_000);

  it("rejects a malformed --sizes with a message naming the option", async () => {
    const run = await runBench(["--quick", "--json", "--sizes", "1m"], tmp());
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--sizes: expected tokens like 1k, 10k, 100k, 1k-fat; got "1m"');
  });
});
