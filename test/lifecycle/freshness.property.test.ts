/**
 * Over a year of random activity, a daily session resets exactly when a daily boundary lies
 * between two consecutive activities. The expected boundaries come from an independent scan:
 * every 15 minutes through the year, the first instant whose wall clock (read with Intl) is on
 * a new local date at or past `atHour`. All transitions of these zones fall on that grid.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mostRecentBoundary, nextBoundaryAfter } from "../../src/lifecycle/daily-boundary.js";
import { evaluateFreshness } from "../../src/lifecycle/freshness.js";

const STEP = 15 * 60_000;
const YEAR_START = Date.parse("2026-01-01T00:00:00Z");
const YEAR_END = Date.parse("2027-01-01T00:00:00Z");
const ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe"];

interface Reading {
  t: number;
  /** yyyymmdd of the local date. */
  date: number;
  hour: number;
}

function scanYear(zone: string): Reading[] {
  const format = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit" });
  const readings: Reading[] = [];
  for (let t = YEAR_START - 2 * 86_400_000; t <= YEAR_END + 2 * 86_400_000; t += STEP) {
    const parts = Object.fromEntries(format.formatToParts(t).map((p) => [p.type, p.value]));
    readings.push({ t, date: Number(`${parts.year}${parts.month}${parts.day}`), hour: Number(parts.hour) });
  }
  return readings;
}

function boundariesFrom(readings: Reading[], atHour: number): number[] {
  const boundaries: number[] = [];
  let lastDate = 0;
  for (const { t, date, hour } of readings) {
    if (date > lastDate && hour >= atHour) {
      boundaries.push(t);
      lastDate = date;
    }
  }
  // The scan starts in the middle of a day: its first detection is not a real boundary.
  return boundaries.slice(1);
}

/** True when some boundary b has from < b <= to. */
function boundaryBetween(boundaries: number[], from: number, to: number): boolean {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((boundaries[mid] as number) <= from) lo = mid + 1;
    else hi = mid;
  }
  return lo < boundaries.length && (boundaries[lo] as number) <= to;
}

describe.each(ZONES)("daily resets over a year in %s", (zone) => {
  const readings = scanYear(zone);
  const byHour = new Map<number, number[]>();
  const boundariesAt = (atHour: number) => {
    if (!byHour.has(atHour)) byHour.set(atHour, boundariesFrom(readings, atHour));
    return byHour.get(atHour) as number[];
  };

  it("finds every boundary of the year (one per local day, none skipped or doubled on DST days)", () => {
    for (const atHour of [0, 1, 2, 3, 23]) {
      const boundaries = boundariesAt(atHour);
      const isBoundary = new Set(boundaries);
      const datesIn2026 = readings.filter((r) => isBoundary.has(r.t) && Math.floor(r.date / 10_000) === 2026);
      expect(datesIn2026).toHaveLength(365);
      for (let i = 1; i < boundaries.length - 1; i++) {
        const [previous, boundary] = [boundaries[i - 1] as number, boundaries[i] as number];
        expect(mostRecentBoundary(boundary, atHour, zone)).toBe(boundary);
        expect(mostRecentBoundary(boundary - 1, atHour, zone)).toBe(previous);
        expect(nextBoundaryAfter(previous, atHour, zone)).toBe(boundary);
      }
    }
  });

  it("resets exactly when a boundary lies between consecutive activities", () => {
    // An activity is a random instant, or one within two hours of a boundary (where mistakes live).
    const activity = fc.oneof(
      fc.record({ near: fc.constant(false), index: fc.nat(), delta: fc.integer({ min: YEAR_START, max: YEAR_END }) }),
      fc.record({ near: fc.constant(true), index: fc.nat(), delta: fc.integer({ min: -2 * 3_600_000, max: 2 * 3_600_000 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 }), fc.array(activity, { minLength: 2, maxLength: 40 }), (atHour, picks) => {
        const boundaries = boundariesAt(atHour);
        const times = picks
          .map((p) => (p.near ? (boundaries[p.index % boundaries.length] as number) + p.delta : p.delta))
          .sort((a, b) => a - b);
        for (let i = 1; i < times.length; i++) {
          const [updatedAt, now] = [times[i - 1] as number, times[i] as number];
          const result = evaluateFreshness({ updatedAt, now, policy: { mode: "daily", atHour, timezone: zone } });
          const expected = boundaryBetween(boundaries, updatedAt, now);
          expect({ updatedAt: new Date(updatedAt).toISOString(), now: new Date(now).toISOString(), stale: !result.fresh }).toEqual({
            updatedAt: new Date(updatedAt).toISOString(),
            now: new Date(now).toISOString(),
            stale: expected,
          });
          if (expected) expect(result.reason).toBe("daily");
        }
      }),
      { numRuns: 120 },
    );
  });
});
