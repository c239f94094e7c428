// The export and import format of the admin API (docs/data.md): NDJSON, a header line then one line per page.
// Both stores read and write it through the types here, and the whole body is checked by parseImport before
// a store is given any of it, so a refused import writes nothing.
import { addDays, dayOf, parseDay } from '../days.js';
import { HttpError } from '../errors.js';
import { parsePageName } from '../page.js';

export const EXPORT_FORMAT = 'page-tracker-export';
export const EXPORT_VERSION = 1;

/**
 * What a store knows of a page's visitors, in the store's own form. A HyperLogLog cannot be turned into the
 * visitors it counted, nor an exact set into a HyperLogLog without its ids, so each store exports its own
 * state and takes back only its own kind: Redis the HLL string's bytes (base64; an HLL is a string, SET
 * restores it), the memory store its visitor ids (random cookie ids or keyed hashes, never an address).
 */
export type VisitorState = { redisHll: string } | { ids: string[] };

export interface PortableDay {
  day: string;
  views: number;
  visitorState?: VisitorState | undefined;
}

export interface PortablePage {
  page: string;
  /** All-time views: the import sets the page's total to this. */
  views: number;
  /**
   * The visitors estimate when exported (null from a store that counts no visitors, VISITOR_MODE=off);
   * informative, an import restores visitors from visitorState only.
   */
  visitors?: number | null | undefined;
  visitorState?: VisitorState | undefined;
  /**
   * The UTC day the page was first counted, when the store knows it (pages counted since it is recorded, or
   * imported with it). An import sets it, or, when the line has none, derives it where the line's days hold all
   * of its views (their first day), else leaves the page without one.
   */
  firstSeen?: string | undefined;
  /** Days with views within the retention, oldest first. */
  days: PortableDay[];
}

export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  store: 'redis' | 'memory';
  retentionDays: number;
}

/** The first and last UTC day whose counts a store still keeps at `now` (days.ts, dayKeyLifetimeMs). */
export function retainedDays(now: number, retentionDays: number): { from: string; to: string } {
  const to = dayOf(now);
  return { from: addDays(to, -retentionDays), to };
}

/** A refused import: the line (1-based) and what is wrong with it. Nothing has been written. */
class InvalidImportError extends HttpError {
  constructor(line: number, problem: string) {
    super(400, 'invalid_import', `line ${line}: ${problem}; nothing was imported`, { details: { line } });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown, field: string, line: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new InvalidImportError(line, `${field} must be a whole number from 0, got ${JSON.stringify(value)}`);
  return value;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function visitorState(value: unknown, field: string, line: number, kind: ExportHeader['store']): VisitorState | undefined {
  if (value === undefined) return undefined;
  if (isRecord(value) && typeof value['redisHll'] === 'string' && Object.keys(value).length === 1) {
    if (!BASE64.test(value['redisHll']) || value['redisHll'].length % 4 !== 0) throw new InvalidImportError(line, `${field}.redisHll must be base64`);
    if (kind !== 'redis') throw new InvalidImportError(line, `${field} is a Redis HyperLogLog, which the ${kind} store cannot read; leave visitorState out to import the counts alone`);
    return { redisHll: value['redisHll'] };
  }
  if (isRecord(value) && Array.isArray(value['ids']) && Object.keys(value).length === 1) {
    const ids = value['ids'];
    if (!ids.every((id): id is string => typeof id === 'string')) throw new InvalidImportError(line, `${field}.ids must be strings`);
    if (kind !== 'memory') throw new InvalidImportError(line, `${field} is the memory store's visitor ids, which the ${kind} store does not take; leave visitorState out to import the counts alone`);
    return { ids };
  }
  throw new InvalidImportError(line, `${field} must be {"redisHll": "<base64>"} or {"ids": [...]}`);
}

/**
 * A line's first-seen day: the one it gives, checked against its days, or else the first of its days when they
 * hold all of its views (then no view can be older). A first-seen day within the retention is where the page's
 * days add up to its views exactly (the consistency check relies on it), so such a line must say so.
 */
function firstSeenOf(raw: unknown, page: { views: number; days: PortableDay[]; daySum: number }, kept: { from: string; to: string }, line: number): string | undefined {
  const earliest = page.days[0]?.day;
  if (raw === undefined) return earliest !== undefined && page.daySum === page.views ? earliest : undefined;
  let day: string;
  try {
    day = parseDay(raw, 'firstSeen');
  } catch (error) {
    throw new InvalidImportError(line, (error as Error).message);
  }
  if (day > kept.to) throw new InvalidImportError(line, `firstSeen ${day} is after today (${kept.to}, UTC)`);
  if (day >= kept.from) {
    if (earliest !== day) throw new InvalidImportError(line, `firstSeen ${day} is within the retention, so it must be the first day with views (the first given is ${earliest ?? 'none'})`);
    if (page.daySum !== page.views) throw new InvalidImportError(line, `firstSeen ${day} is within the retention, so the days' views (${page.daySum}) must add up to the page's views (${page.views})`);
  }
  return day;
}

/**
 * Checks a whole import body and answers its pages, or throws InvalidImportError for the first bad line.
 * A body is an export (header line first) or lines of base counts ({"page": ..., "views": ...}) alone.
 * Days older than the retention are dropped: the store would already have deleted them.
 */
export function parseImport(body: string, store: ExportHeader['store'], now: number, retentionDays: number): PortablePage[] {
  const kept = retainedDays(now, retentionDays);
  const pages: PortablePage[] = [];
  const seen = new Set<string>();
  const lines = body.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = index + 1;
    const text = lines[index]!.trim();
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new InvalidImportError(line, `not JSON (${(error as Error).message})`);
    }
    if (!isRecord(value)) throw new InvalidImportError(line, 'must be a JSON object');
    if ('format' in value) {
      if (pages.length > 0 || index > 0) throw new InvalidImportError(line, 'a header may only be the first line');
      if (value['format'] !== EXPORT_FORMAT || value['version'] !== EXPORT_VERSION) throw new InvalidImportError(line, `header must say format "${EXPORT_FORMAT}", version ${EXPORT_VERSION}`);
      continue;
    }
    const unknown = Object.keys(value).filter((key) => !['page', 'views', 'visitors', 'visitorState', 'firstSeen', 'days'].includes(key));
    if (unknown.length > 0) throw new InvalidImportError(line, `unknown field ${unknown.map((key) => JSON.stringify(key)).join(', ')}`);
    let page: string;
    try {
      page = parsePageName(typeof value['page'] === 'string' ? value['page'] : '');
    } catch {
      throw new InvalidImportError(line, `page ${JSON.stringify(value['page'])} is not a page name (1-200 of A-Z a-z 0-9 / _ . -, no empty or "." segment, no "..")`);
    }
    if (seen.has(page)) throw new InvalidImportError(line, `page ${page} was given on an earlier line`);
    seen.add(page);
    const views = count(value['views'], 'views', line);
    const visitors = value['visitors'] === undefined || value['visitors'] === null ? value['visitors'] : count(value['visitors'], 'visitors', line);
    const rawDays = value['days'] ?? [];
    if (!Array.isArray(rawDays)) throw new InvalidImportError(line, 'days must be an array');
    const days: PortableDay[] = [];
    const seenDays = new Set<string>();
    for (const [at, rawDay] of rawDays.entries()) {
      const field = `days[${at}]`;
      if (!isRecord(rawDay)) throw new InvalidImportError(line, `${field} must be an object`);
      let day: string;
      try {
        day = parseDay(rawDay['day'], `${field}.day`);
      } catch (error) {
        throw new InvalidImportError(line, (error as Error).message);
      }
      if (seenDays.has(day)) throw new InvalidImportError(line, `${field}.day ${day} is given twice`);
      seenDays.add(day);
      if (day > kept.to) throw new InvalidImportError(line, `${field}.day ${day} is after today (${kept.to}, UTC)`);
      const dayViews = count(rawDay['views'], `${field}.views`, line);
      const state = visitorState(rawDay['visitorState'], `${field}.visitorState`, line, store);
      if (day >= kept.from && dayViews > 0) days.push({ day, views: dayViews, visitorState: state });
    }
    const daySum = days.reduce((sum, day) => sum + day.views, 0);
    if (daySum > views) throw new InvalidImportError(line, `the days' views add up to ${daySum}, more than the page's views (${views})`);
    days.sort((a, b) => (a.day < b.day ? -1 : 1));
    const firstSeen = firstSeenOf(value['firstSeen'], { views, days, daySum }, kept, line);
    pages.push({ page, views, visitors, visitorState: visitorState(value['visitorState'], 'visitorState', line, store), firstSeen, days });
  }
  return pages;
}
