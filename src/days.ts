// UTC days, as the per-day counts name them (YYYY-MM-DD). A view belongs to the UTC day of the app's clock
// when its batch is written (VIEW-WRITE.md), so every server and every reader agrees on which day it was.
import { InvalidQueryError } from './errors.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The longest range a page's figures may cover, in days. A page range reads one ranking entry and one
 * HyperLogLog per day in a single Redis call, about 0.25 ms for 30 days (docs/performance.md, Capacity); a year and a day
 * keeps it a few milliseconds and still covers any calendar year.
 */
export const MAX_RANGE_DAYS = 366;

/**
 * The longest range the top pages may be ranked over. That read sums every page of every day of the range
 * (ZUNIONSTORE), and Redis serves no one else meanwhile: 30 days of 10,000 pages measured 35-230 ms of Redis
 * time on a busy machine (docs/performance.md, Capacity), so a year would stall every view for seconds. A month covers
 * "this week" and "this month". A range up to today reuses a cached union of its completed days, but its cold
 * read (once a day, and after an import or a reset) still sums them all, so the cache does not lift this bound.
 */
export const MAX_TOP_RANGE_DAYS = 31;

/** The days a range covers when only one end is given, and that the home page charts. */
export const DEFAULT_RANGE_DAYS = 30;

/** How many days per-day counts are kept by default (VIEW_RETENTION_DAYS): a year, and a month to compare it with. */
export const DEFAULT_RETENTION_DAYS = 400;

/** The UTC day of an instant, as YYYY-MM-DD. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A day as the number of days since 1970-01-01: how the first-seen ranking scores it (a score is a number). */
export function dayNumber(day: string): number {
  return Math.round(startOfDay(day) / DAY_MS);
}

/** The day numbered so by dayNumber. */
export function dayOfNumber(number: number): string {
  return dayOf(number * DAY_MS);
}

/** Midnight UTC that starts the day. */
export function startOfDay(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** The day `offset` days after (or, negative, before) `day`. */
export function addDays(day: string, offset: number): string {
  return dayOf(startOfDay(day) + offset * DAY_MS);
}

/** Every day from `from` to `to`, both included, in order. */
export function daysFrom(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = startOfDay(from); at <= startOfDay(to); at += DAY_MS) days.push(dayOf(at));
  return days;
}

/**
 * Milliseconds from `now` until the per-day keys of now's day are to be deleted: the end of the day plus the
 * retention. Every key of one day thus ends at the same moment, whichever view created it, and the figure is
 * relative, so it does not depend on Redis's clock agreeing with the app's.
 */
export function dayKeyLifetimeMs(now: number, retentionDays: number): number {
  const dayEnd = startOfDay(dayOf(now)) + DAY_MS;
  return dayEnd + retentionDays * DAY_MS - now;
}

/** Parses a query parameter as a calendar day, or refuses it naming the parameter. */
export function parseDay(raw: unknown, parameter: string): string {
  // Round-tripping through Date refuses days that do not exist (2026-02-30), which the pattern alone lets by.
  if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(startOfDay(raw)) || dayOf(startOfDay(raw)) !== raw) {
    throw new InvalidQueryError(`${parameter} must be a calendar day as YYYY-MM-DD (UTC), e.g. 2026-01-31`, parameter);
  }
  return raw;
}

export interface DayRange {
  from: string;
  to: string;
}

/** How many days a range covers, both ends included. */
function rangeLength({ from, to }: DayRange): number {
  return Math.round((startOfDay(to) - startOfDay(from)) / DAY_MS) + 1;
}

/**
 * The range a request's `from` and `to` ask for, or undefined when it gives neither (the all-time figures).
 * A missing `to` is today (UTC, by the app's clock); a missing `from` is DEFAULT_RANGE_DAYS days up to `to`.
 */
export function requestedRange(query: { from?: unknown; to?: unknown }, now: number, maxDays: number): DayRange | undefined {
  if (query.from === undefined && query.to === undefined) return undefined;
  const to = query.to === undefined ? dayOf(now) : parseDay(query.to, 'to');
  const from = query.from === undefined ? addDays(to, 1 - DEFAULT_RANGE_DAYS) : parseDay(query.from, 'from');
  return checkedRange(from, to, maxDays);
}

/** The last `days` days up to today, by the clock given. */
export function lastDays(days: number, now: number): DayRange {
  const to = dayOf(now);
  return { from: addDays(to, 1 - days), to };
}

/** The days of a range, checked: in order and at most `maxDays` long. */
function checkedRange(from: string, to: string, maxDays: number): DayRange {
  if (from > to) throw new InvalidQueryError(`from (${from}) is after to (${to}); give the earlier day first`, 'from');
  const range = { from, to };
  const length = rangeLength(range);
  if (length > maxDays) throw new InvalidQueryError(`the range from ${from} to ${to} covers ${length} days; at most ${maxDays} may be read at once here`, 'to');
  return range;
}
