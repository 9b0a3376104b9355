/**
 * Daily reset boundaries in an IANA time zone, computed with `Intl.DateTimeFormat` (the
 * runtime's tz database; no offset tables). Pure.
 *
 * The boundary of local date D is the first instant at which the zone's wall clock reads
 * `D atHour:00` or later:
 * - normally `atHour:00` itself;
 * - on a spring-forward day where `atHour:00` does not exist, the instant of the jump
 *   (New York, `atHour` 2 on 2026-03-08: 03:00 EDT = 07:00 UTC), so that day still resets once;
 * - on a fall-back day where `atHour:00` happens twice, its first occurrence only.
 * Every local date therefore has exactly one boundary: none is skipped or doubled.
 */
import { HubError, describeValue } from "../errors.js";

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

let host: { tz: string | undefined; zone: string } | undefined;

/** The zone of the host (`TZ`, else the system's); re-read when `process.env.TZ` changes, as Node does. */
export function hostTimeZone(): string {
  const tz = process.env.TZ;
  if (host === undefined || host.tz !== tz) host = { tz, zone: new Intl.DateTimeFormat().resolvedOptions().timeZone };
  return host.zone;
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch (error) {
      throw new HubError("E_INVALID_CONFIG", `timezone must be an IANA time zone such as "Europe/Berlin", got ${describeValue(timeZone)}`, {
        cause: error,
      });
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws `E_INVALID_CONFIG` unless `timeZone` is a zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading of instant `t` in `timeZone`. */
export function localTime(t: number, timeZone: string): LocalTime {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(t)) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = fields;
  return { year, month, day, hour, minute, second };
}

/** The wall clock at `t` as if it were UTC (ms). `wall(t) - t` is the zone's offset at `t`. */
function wall(t: number, timeZone: string): number {
  const l = localTime(t, timeZone);
  const wholeSecond = Math.floor(t / 1000) * 1000;
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) + (t - wholeSecond);
}

function offsetAt(t: number, timeZone: string): number {
  return wall(t, timeZone) - t;
}

/** The first instant whose wall clock reads `target` (a wall time as UTC ms) or later. */
function firstInstantAtOrAfter(target: number, timeZone: string): number {
  // Offsets a day either side bracket any transition near the target.
  const before = offsetAt(target - DAY_MS, timeZone);
  const after = offsetAt(target + DAY_MS, timeZone);
  if (before === after) return target - before;
  const exact = [target - before, target - after].filter((t) => wall(t, timeZone) === target);
  if (exact.length > 0) return Math.min(...exact);
  // The target lies in a spring-forward gap: find the instant of the jump.
  let lo = target - Math.max(before, after);
  let hi = target - Math.min(before, after);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wall(mid, timeZone) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The boundary of the local date `dayOffset` days after the local date `l`. */
function boundaryOf(l: LocalTime, dayOffset: number, atHour: number, timeZone: string): number {
  return firstInstantAtOrAfter(Date.UTC(l.year, l.month - 1, l.day + dayOffset, atHour), timeZone);
}

/** Per hour and zone, the last span between two boundaries computed: [from, to). */
const spans = new Map<string, { from: number; to: number }>();

/** The boundaries around `t`: the most recent at or before it, the first after it (remembered per hour and zone). */
function spanAround(t: number, atHour: number, timeZone: string): { from: number; to: number } {
  const id = `${atHour}\u0000${timeZone}`;
  const known = spans.get(id);
  if (known !== undefined && t >= known.from && t < known.to) return known;
  const span = { from: computeMostRecent(t, atHour, timeZone), to: computeNextAfter(t, atHour, timeZone) };
  spans.set(id, span);
  return span;
}

/** The most recent daily boundary at or before `now`. */
export function mostRecentBoundary(now: number, atHour: number, timeZone: string): number {
  return spanAround(now, atHour, timeZone).from;
}

/** The first daily boundary strictly after `t`. */
export function nextBoundaryAfter(t: number, atHour: number, timeZone: string): number {
  return spanAround(t, atHour, timeZone).to;
}

function computeMostRecent(now: number, atHour: number, timeZone: string): number {
  const today = localTime(now, timeZone);
  // Tomorrow is a candidate only in zones whose wall clock steps back over midnight.
  for (const dayOffset of [1, 0, -1, -2]) {
    const boundary = boundaryOf(today, dayOffset, atHour, timeZone);
    if (boundary <= now) return boundary;
  }
  return boundaryOf(today, -3, atHour, timeZone);
}

function computeNextAfter(t: number, atHour: number, timeZone: string): number {
  const day = localTime(t, timeZone);
  for (const dayOffset of [-1, 0, 1, 2]) {
    const boundary = boundaryOf(day, dayOffset, atHour, timeZone);
    if (boundary > t) return boundary;
  }
  return boundaryOf(day, 3, atHour, timeZone);
}
