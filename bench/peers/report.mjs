// The peers suite's ratios, targets (issue 11) and printed tables.
import { ratio, round } from "./workload.mjs";

/** The issue's targets: `max` for a ratio to stay under, `min` for one to stay above. */
export const TARGETS = {
  p50HubOverSqlite: { max: 2 },
  hubP50Growth: { max: 1.5 },
  concurrentHubOverSqlite: { min: 0.5 },
  processesHubOverSqlite: { min: 0.25 },
  listingHubOverSqlite: { max: 1.5 },
};

const suffix = (label) => label.replace(/-fat$/, "Fat");
const rate = (phase, name) => phase?.peers?.[name]?.roundsPerSec ?? undefined;
const rateCell = (phase, name) => (phase.peers[name]?.error ? "crashed" : String(round(rate(phase, name), 0)));
const lostCell = (value) => (value === null ? "unknown (crashed)" : String(value));

/** Adds each size's ratios to it; returns the flat ratios, the targets and which are met. */
export function summarize(results) {
  const ratios = {};
  for (const r of results) {
    const p = r.perRound;
    r.ratios = p
      ? {
          p50HubOverSqlite: ratio(p.hub.p50, p.sqlite.p50),
          p50HubOverFloor: ratio(p.hub.p50, p.floor.p50),
          p50SqliteOverFloor: ratio(p.sqlite.p50, p.floor.p50),
          p50NaiveOverSqlite: p.naive ? ratio(p.naive.p50, p.sqlite.p50) : null,
          p90HubOverSqlite: ratio(p.hub.p90, p.sqlite.p90),
        }
      : {};
    if (r.concurrent) r.ratios.concurrentHubOverSqlite = ratio(rate(r.concurrent, "hub"), rate(r.concurrent, "sqlite"));
    if (r.processes) r.ratios.processesHubOverSqlite = ratio(rate(r.processes, "hub"), rate(r.processes, "sqlite"));
    if (r.listing) r.ratios.listingHubOverSqlite = ratio(r.listing.hub.ms, r.listing.sqlite.ms);
    for (const [name, value] of Object.entries(r.ratios)) if (value !== null) ratios[`${name}${suffix(r.size)}`] = value;
  }
  const lean = results.filter((r) => !r.fat && r.perRound).sort((a, b) => a.entries - b.entries);
  if (lean.length > 1) ratios.hubP50Growth = ratio(lean.at(-1).perRound.hub.p50, lean[0].perRound.hub.p50);
  const met = {};
  for (const [name, target] of Object.entries(TARGETS)) {
    const values = Object.entries(ratios)
      .filter(([key]) => key === name || (key.startsWith(name) && /^\d/.test(key.slice(name.length))))
      .map(([, value]) => value);
    if (values.length > 0) met[name] = values.every((v) => (target.max !== undefined ? v <= target.max : v >= target.min));
  }
  return { ratios, targets: TARGETS, met };
}

const ms = (value) => (value === undefined || value === null ? "-" : value < 10 ? round(value, 2).toFixed(2) : String(round(value, 1)));
const x = (value) => (value === null || value === undefined ? "-" : `${value}x`);

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

export function printTables(results, summary, log) {
  const cell = (r) => (r ? `${ms(r.p50)} / ${ms(r.p90)} (${r.rounds})` : "skipped");
  const measured = results.filter((r) => r.perRound);
  if (measured.length > 0) log("\nPer round (receive + reply, durable): p50 / p90 ms (rounds measured)");
  const perRound = measured.map((r) => [
    r.size,
    String(r.bytesPerEntry),
    ...["hub", "sqlite", "floor", "naive"].map((name) => cell(r.perRound[name])),
    x(r.ratios.p50HubOverSqlite),
    x(r.ratios.p50HubOverFloor),
    x(r.ratios.p50SqliteOverFloor),
    x(r.ratios.p50NaiveOverSqlite),
  ]);
  if (measured.length > 0) for (const line of table(["size", "B/entry", "session-hub", "sqlite FULL", "floor", "naive", "hub/sqlite", "hub/floor", "sqlite/floor", "naive/sqlite"], perRound)) log(line);

  const many = results.filter((r) => r.concurrent);
  if (many.length > 0) {
    log(`\n${many[0].concurrent.conversations} conversations at once, one process: rounds/s (lost updates: hub, sqlite)`);
    const rows = many.map((r) => [r.size, ...["hub", "sqlite", "floor"].map((n) => rateCell(r.concurrent, n)), x(r.ratios.concurrentHubOverSqlite), `${lostCell(r.concurrent.lostUpdates.hub)}, ${lostCell(r.concurrent.lostUpdates.sqlite)}`]);
    for (const line of table(["size", "session-hub", "sqlite FULL", "floor", "hub/sqlite", "lost"], rows)) log(line);
  }
  for (const r of results.filter((item) => item.processes)) {
    const p = r.processes;
    log(`\n${p.procs} processes sharing the state dir at ${r.size}, ${p.conversations} conversations: session-hub ${rateCell(p, "hub")} rounds/s, sqlite ${rateCell(p, "sqlite")} rounds/s (${x(r.ratios.processesHubOverSqlite)}); lost updates: hub ${lostCell(p.lostUpdates.hub)}, sqlite ${lostCell(p.lostUpdates.sqlite)}`);
  }
  const listed = results.filter((r) => r.listing);
  if (listed.length > 0) {
    log("\n`hub sessions --json` as a whole process vs a plain SQLite listing script (median ms)");
    for (const line of table(["size", "hub sessions", "sqlite script", "hub/sqlite"], listed.map((r) => [r.size, ms(r.listing.hub.ms), ms(r.listing.sqlite.ms), x(r.ratios.listingHubOverSqlite)]))) log(line);
  }
  for (const r of results) {
    for (const [phase, peers] of [["concurrent", r.concurrent?.peers], ["processes", r.processes?.peers]]) {
      for (const [name, value] of Object.entries(peers ?? {})) if (value.error) log(`\n${r.size}, ${phase}: ${name} crashed: ${value.error}`);
    }
  }
  const targets = Object.entries(summary.met).map(([name, ok]) => `${name} ${TARGETS[name].max !== undefined ? "≤" : "≥"} ${TARGETS[name].max ?? TARGETS[name].min}: ${ok ? "met" : "not met"}`);
  log(`\ntargets (issue 11): ${targets.join("; ")}${summary.ratios.hubP50Growth === undefined ? "" : `; hub p50 largest/smallest lean size ${x(summary.ratios.hubP50Growth)}`}`);
}
