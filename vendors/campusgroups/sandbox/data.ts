import { int64Id } from '../../../lambdas/sandbox/ids.js';
import { ENTITIES } from '../entities.js';

/**
 * Deterministic synthetic records: record i of an entity is computed, never stored, so the
 * sandbox serves a million records in constant memory. updatedOn rises with i, spread evenly
 * over the data range, which makes a window's records a contiguous index range.
 */
export interface DataShape {
  /** Records per entity; a number for all, or per entity. */
  recordsPerEntity: number | Record<string, number>;
  /** updatedOn of the first and last record (ISO). */
  start: string;
  end: string;
  /**
   * 'milliseconds': updatedOn to the millisecond, the records clustered in the second and a half
   * around each midnight (23:59:59.250 … 00:00:00.750), where windows of whole days meet.
   */
  precision?: 'seconds' | 'milliseconds';
  /**
   * 'int64': record i has id 2^53 + i, written as its digits (lambdas/sandbox/ids.ts): the
   * document's Results sample is an empty list, so nothing bounds an id. Default 'small': i + 1.
   */
  ids?: 'small' | 'int64';
}

export function countFor(shape: DataShape, entity: string): number {
  return typeof shape.recordsPerEntity === 'number' ? shape.recordsPerEntity : (shape.recordsPerEntity[entity] ?? 0);
}

/**
 * What every record of one entity's series shares, computed once per shape and entity (and again
 * when the sandbox is reconfigured, e.g. to another precision): record generation is the
 * sandbox's whole cost per page, and on a shared machine the sandbox's CPU is taken from the
 * client under test.
 */
interface Series {
  from: Pick<DataShape, 'start' | 'end' | 'precision'>;
  n: number;
  start: number;
  /** 'seconds': the span in whole seconds; 'milliseconds': records per day. */
  spanSeconds: number;
  perDay: number;
  milliseconds: boolean;
}

const seriesCache = new WeakMap<DataShape, Map<string, Series>>();

function seriesOf(shape: DataShape, entity: string): Series {
  let byEntity = seriesCache.get(shape);
  if (!byEntity) seriesCache.set(shape, (byEntity = new Map()));
  const n = countFor(shape, entity);
  let series = byEntity.get(entity);
  if (!series || series.n !== n || series.from.start !== shape.start || series.from.end !== shape.end || series.from.precision !== shape.precision) {
    const start = Date.parse(shape.start);
    const span = Date.parse(shape.end) - start;
    const days = Math.max(1, Math.floor(span / 86_400_000));
    series = { from: { start: shape.start, end: shape.end, precision: shape.precision }, n, start, spanSeconds: Math.floor(span / 1000), perDay: Math.ceil(n / days), milliseconds: shape.precision === 'milliseconds' };
    byEntity.set(entity, series);
  }
  return series;
}

function updatedOf(s: Series, i: number): number {
  if (s.milliseconds) {
    const day = Math.floor(i / s.perDay);
    return s.start + (day + 1) * 86_400_000 - 750 + Math.floor(((i % s.perDay) * 1500) / s.perDay);
  }
  return s.start + (s.n <= 1 ? 0 : Math.floor((i * s.spanSeconds) / (s.n - 1))) * 1000;
}

/** updatedOn of record i: whole seconds, or (precision 'milliseconds') to the millisecond. */
export function updatedOnMs(shape: DataShape, entity: string, i: number): number {
  return updatedOf(seriesOf(shape, entity), i);
}

/** The index range [lo, hi) of records whose updatedOn is within [fromMs, toMs], both inclusive. */
export function indexRange(shape: DataShape, entity: string, fromMs: number, toMs: number): [number, number] {
  const s = seriesOf(shape, entity);
  const firstAtOrAfter = (t: number) => {
    let lo = 0;
    let hi = s.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (updatedOf(s, mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const lo = firstAtOrAfter(fromMs);
  const hi = firstAtOrAfter(toMs + 1);
  return [lo, Math.max(lo, hi)];
}

const DAY_MS = 86_400_000;
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const dayPrefixes = new Map<number, string>();

/** "2025-01-31T" for the day of `ms`, from toISOString once per day (years past 9999 included). */
function dayPrefix(day: number): string {
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    if (dayPrefixes.size > 100_000) dayPrefixes.clear();
    const text = new Date(day * DAY_MS).toISOString();
    prefix = text.slice(0, text.indexOf('T') + 1);
    dayPrefixes.set(day, prefix);
  }
  return prefix;
}

/** ISO 8601 in UTC, without milliseconds when they are 0 (toISOString's form otherwise). */
const iso = (ms: number): string => {
  const day = Math.floor(ms / DAY_MS);
  const inDay = ms - day * DAY_MS;
  const millis = inDay % 1000;
  const seconds = (inDay - millis) / 1000;
  const time = `${TWO[Math.floor(seconds / 3600)]}:${TWO[Math.floor(seconds / 60) % 60]}:${TWO[seconds % 60]}`;
  return `${dayPrefix(day)}${time}${millis === 0 ? '' : `.${String(millis).padStart(3, '0')}`}Z`;
};
export { iso as isoOf };
const pick = <T>(list: readonly T[], i: number): T => list[i % list.length]!;
const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman'];
const GROUPS = ['Chess Club', 'Robotics', 'Student Government', 'Debate', 'Film Society', 'Outdoors Club'];

/**
 * A few fields per entity that look like the real thing, each record built whole (one object
 * shape per entity): id first, then the entity's fields, then createdOn and updatedOn.
 */
type Make = (i: number, createdOn: string, updatedOn: string) => Record<string, unknown>;
const MAKERS: Partial<Record<(typeof ENTITIES)[number], Make>> = {
  events: (i, createdOn, updatedOn) => ({ id: i + 1, name: `${pick(GROUPS, i)} meeting #${i}`, groupId: (i % 997) + 1, location: `Room ${100 + (i % 50)}`, capacity: 20 + (i % 80), createdOn, updatedOn }),
  rsvp: (i, createdOn, updatedOn) => ({ id: i + 1, eventId: (i % 5000) + 1, userId: (i % 20000) + 1, response: pick(['yes', 'no', 'maybe'], i), createdOn, updatedOn }),
  users: (i, createdOn, updatedOn) => ({ id: i + 1, firstName: pick(FIRST, i), lastName: pick(LAST, i * 7), email: `student${i}@example.edu`, classYear: 2026 + (i % 5), createdOn, updatedOn }),
  groups: (i, createdOn, updatedOn) => ({ id: i + 1, name: `${pick(GROUPS, i)} ${Math.floor(i / GROUPS.length) + 1}`, category: pick(['Academic', 'Social', 'Service'], i), createdOn, updatedOn }),
  members: (i, createdOn, updatedOn) => ({ id: i + 1, groupId: (i % 997) + 1, userId: (i % 20000) + 1, role: pick(['member', 'officer', 'advisor'], i), createdOn, updatedOn }),
  payments: (i, createdOn, updatedOn) => ({ id: i + 1, userId: (i % 20000) + 1, amount: ((i * 37) % 10000) / 100, currency: 'USD', status: pick(['paid', 'refunded'], i), createdOn, updatedOn }),
  checkins: (i, createdOn, updatedOn) => ({ id: i + 1, eventId: (i % 5000) + 1, userId: (i % 20000) + 1, method: pick(['qr', 'card', 'manual'], i), createdOn, updatedOn }),
};
const nameOf = (entity: string) => entity.replace(/_/g, ' ');

export function recordAt(shape: DataShape, entity: string, i: number): Record<string, unknown> {
  const updated = updatedOf(seriesOf(shape, entity), i);
  const createdOn = iso(updated - ((i * 7919) % 864_000) * 1000);
  const updatedOn = iso(updated);
  const make = MAKERS[entity as keyof typeof MAKERS];
  const record = make ? make(i, createdOn, updatedOn) : { id: i + 1, name: `${nameOf(entity)} ${i + 1}`, createdOn, updatedOn };
  if (shape.ids === 'int64') record.id = int64Id(i);
  return record;
}
