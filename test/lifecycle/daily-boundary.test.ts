import { describe, expect, it } from "vitest";
import { HubError } from "../../src/errors.js";
import { assertTimeZone, localTime, mostRecentBoundary, nextBoundaryAfter } from "../../src/lifecycle/daily-boundary.js";

const at = (iso: string) => Date.parse(iso);

// [zone, atHour, now, expected most recent boundary, why]
const VECTORS: Array<[string, number, string, string, string]> = [
  ["UTC", 4, "2026-03-10T10:00:00Z", "2026-03-10T04:00:00Z", "later the same day"],
  ["UTC", 4, "2026-03-10T04:00:00Z", "2026-03-10T04:00:00Z", "exactly at the boundary"],
  ["UTC", 4, "2026-03-10T03:59:59.999Z", "2026-03-09T04:00:00Z", "just before: yesterday's"],
  ["UTC", 0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "midnight, new year"],
  ["UTC", 23, "2026-01-01T22:00:00Z", "2025-12-31T23:00:00Z", "late hour across a year"],
  // New York: EST -5, EDT -4; spring forward 2026-03-08 02:00 -> 03:00, fall back 2026-11-01 02:00 -> 01:00.
  ["America/New_York", 4, "2026-03-07T12:00:00Z", "2026-03-07T09:00:00Z", "04:00 EST"],
  ["America/New_York", 4, "2026-03-08T12:00:00Z", "2026-03-08T08:00:00Z", "04:00 EDT on the spring day"],
  ["America/New_York", 2, "2026-03-08T07:30:00Z", "2026-03-08T07:00:00Z", "02:00 missing: the jump (03:00 EDT)"],
  ["America/New_York", 2, "2026-03-08T06:59:59Z", "2026-03-07T07:00:00Z", "01:59 EST: still the day before"],
  ["America/New_York", 2, "2026-03-09T05:00:00Z", "2026-03-08T07:00:00Z", "the day after the jump"],
  ["America/New_York", 1, "2026-11-01T05:30:00Z", "2026-11-01T05:00:00Z", "01:30 EDT, first pass"],
  ["America/New_York", 1, "2026-11-01T06:30:00Z", "2026-11-01T05:00:00Z", "01:30 EST, second pass: no new boundary"],
  ["America/New_York", 4, "2026-11-01T09:00:00Z", "2026-11-01T09:00:00Z", "04:00 EST on the fall day"],
  ["America/New_York", 4, "2026-11-01T08:59:59Z", "2026-10-31T08:00:00Z", "before it: 04:00 EDT the day before"],
  // Berlin: CET +1, CEST +2; spring 2026-03-29 02:00 -> 03:00 (01:00Z), fall 2026-10-25 03:00 -> 02:00 (01:00Z).
  ["Europe/Berlin", 4, "2026-03-29T10:00:00Z", "2026-03-29T02:00:00Z", "04:00 CEST"],
  ["Europe/Berlin", 4, "2026-03-28T10:00:00Z", "2026-03-28T03:00:00Z", "04:00 CET"],
  ["Europe/Berlin", 2, "2026-03-29T01:00:00Z", "2026-03-29T01:00:00Z", "02:00 missing: 03:00 CEST"],
  ["Europe/Berlin", 2, "2026-03-29T00:59:59.999Z", "2026-03-28T01:00:00Z", "01:59 CET"],
  ["Europe/Berlin", 2, "2026-10-25T00:30:00Z", "2026-10-25T00:00:00Z", "02:30 CEST, first pass"],
  ["Europe/Berlin", 2, "2026-10-25T01:30:00Z", "2026-10-25T00:00:00Z", "02:30 CET, second pass"],
  ["Europe/Berlin", 4, "2026-10-25T03:00:00Z", "2026-10-25T03:00:00Z", "04:00 CET on the fall day"],
  // Kolkata: +05:30, no DST.
  ["Asia/Kolkata", 4, "2026-06-15T00:00:00Z", "2026-06-14T22:30:00Z", "04:00 IST is 22:30Z the day before"],
  ["Asia/Kolkata", 4, "2026-06-14T22:29:59Z", "2026-06-13T22:30:00Z", "03:59:59 IST"],
  ["Asia/Kolkata", 0, "2026-06-14T18:30:00Z", "2026-06-14T18:30:00Z", "midnight IST"],
  // Lord Howe: +10:30, DST +11:00 (a 30-minute change at 02:00).
  // Fall back 2026-04-05 02:00 LHDT -> 01:30 LHST (15:00Z); spring 2026-10-04 02:00 LHST -> 02:30 LHDT (15:30Z).
  ["Australia/Lord_Howe", 4, "2026-01-10T00:00:00Z", "2026-01-09T17:00:00Z", "04:00 LHDT"],
  ["Australia/Lord_Howe", 4, "2026-07-10T00:00:00Z", "2026-07-09T17:30:00Z", "04:00 LHST"],
  ["Australia/Lord_Howe", 1, "2026-04-04T15:15:00Z", "2026-04-04T14:00:00Z", "01:45 LHST, second pass of 01:30-02:00"],
  ["Australia/Lord_Howe", 2, "2026-10-03T15:30:00Z", "2026-10-03T15:30:00Z", "02:00 missing: 02:30 LHDT"],
  ["Australia/Lord_Howe", 2, "2026-10-03T15:29:59Z", "2026-10-02T15:30:00Z", "01:59 LHST"],
  // Santiago: DST changes at midnight. Spring 2026-09-06 00:00 -> 01:00 (04:00Z); fall 2026-04-05 00:00 -> 04-04 23:00 (03:00Z).
  ["America/Santiago", 0, "2026-09-06T04:30:00Z", "2026-09-06T04:00:00Z", "midnight missing: 01:00 -03"],
  ["America/Santiago", 0, "2026-09-06T03:59:59Z", "2026-09-05T04:00:00Z", "23:59:59 -04 the day before"],
  ["America/Santiago", 0, "2026-04-05T03:30:00Z", "2026-04-04T03:00:00Z", "23:30 -04 repeated on the 4th: still the 4th's"],
  ["America/Santiago", 0, "2026-04-05T04:00:00Z", "2026-04-05T04:00:00Z", "the 5th's midnight, reached once"],
];

describe("mostRecentBoundary", () => {
  it.each(VECTORS)("%s atHour %i at %s -> %s (%s)", (zone, atHour, now, expected) => {
    expect(new Date(mostRecentBoundary(at(now), atHour, zone)).toISOString()).toBe(new Date(at(expected)).toISOString());
  });

  it.each(VECTORS)("nextBoundaryAfter(boundary - 1ms) is the boundary: %s atHour %i at %s", (zone, atHour, now) => {
    const boundary = mostRecentBoundary(at(now), atHour, zone);
    expect(nextBoundaryAfter(boundary - 1, atHour, zone)).toBe(boundary);
    expect(nextBoundaryAfter(boundary, atHour, zone)).toBeGreaterThan(boundary);
    expect(mostRecentBoundary(nextBoundaryAfter(boundary, atHour, zone) - 1, atHour, zone)).toBe(boundary);
  });
});

describe("localTime and zones", () => {
  it("reads the wall clock with hours 0-23", () => {
    expect(localTime(at("2026-03-08T05:00:00Z"), "America/New_York")).toEqual({ year: 2026, month: 3, day: 8, hour: 0, minute: 0, second: 0 });
  });

  it("rejects an unknown zone with E_INVALID_CONFIG", () => {
    expect(() => assertTimeZone("Mars/Olympus_Mons")).toThrowError(expect.objectContaining({ code: "E_INVALID_CONFIG" }));
    expect(() => mostRecentBoundary(0, 4, "Nowhere/Land")).toThrow(HubError);
  });
});
