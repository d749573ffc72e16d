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
}

export function countFor(shape: DataShape, entity: string): number {
  return typeof shape.recordsPerEntity === 'number' ? shape.recordsPerEntity : (shape.recordsPerEntity[entity] ?? 0);
}

/** updatedOn of record i: whole seconds, or (precision 'milliseconds') to the millisecond. */
export function updatedOnMs(shape: DataShape, entity: string, i: number): number {
  const n = countFor(shape, entity);
  const start = Date.parse(shape.start);
  if (shape.precision === 'milliseconds') {
    const days = Math.max(1, Math.floor((Date.parse(shape.end) - start) / 86_400_000));
    const perDay = Math.ceil(n / days);
    const day = Math.floor(i / perDay);
    return start + (day + 1) * 86_400_000 - 750 + Math.floor(((i % perDay) * 1500) / perDay);
  }
  const spanSeconds = Math.floor((Date.parse(shape.end) - start) / 1000);
  return start + (n <= 1 ? 0 : Math.floor((i * spanSeconds) / (n - 1))) * 1000;
}

/** The index range [lo, hi) of records whose updatedOn is within [fromMs, toMs], both inclusive. */
export function indexRange(shape: DataShape, entity: string, fromMs: number, toMs: number): [number, number] {
  const n = countFor(shape, entity);
  const firstAtOrAfter = (t: number) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (updatedOnMs(shape, entity, mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const lo = firstAtOrAfter(fromMs);
  const hi = firstAtOrAfter(toMs + 1);
  return [lo, Math.max(lo, hi)];
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
export { iso as isoOf };
const pick = <T>(list: readonly T[], i: number): T => list[i % list.length]!;
const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman'];
const GROUPS = ['Chess Club', 'Robotics', 'Student Government', 'Debate', 'Film Society', 'Outdoors Club'];

/** A few fields per entity that look like the real thing; every record has id, updatedOn and createdOn. */
const FIELDS: Partial<Record<(typeof ENTITIES)[number], (i: number) => Record<string, unknown>>> = {
  events: (i) => ({ name: `${pick(GROUPS, i)} meeting #${i}`, groupId: (i % 997) + 1, location: `Room ${100 + (i % 50)}`, capacity: 20 + (i % 80) }),
  rsvp: (i) => ({ eventId: (i % 5000) + 1, userId: (i % 20000) + 1, response: pick(['yes', 'no', 'maybe'], i) }),
  users: (i) => ({ firstName: pick(FIRST, i), lastName: pick(LAST, i * 7), email: `student${i}@example.edu`, classYear: 2026 + (i % 5) }),
  groups: (i) => ({ name: `${pick(GROUPS, i)} ${Math.floor(i / GROUPS.length) + 1}`, category: pick(['Academic', 'Social', 'Service'], i) }),
  members: (i) => ({ groupId: (i % 997) + 1, userId: (i % 20000) + 1, role: pick(['member', 'officer', 'advisor'], i) }),
  payments: (i) => ({ userId: (i % 20000) + 1, amount: ((i * 37) % 10000) / 100, currency: 'USD', status: pick(['paid', 'refunded'], i) }),
  checkins: (i) => ({ eventId: (i % 5000) + 1, userId: (i % 20000) + 1, method: pick(['qr', 'card', 'manual'], i) }),
};

export function recordAt(shape: DataShape, entity: string, i: number): Record<string, unknown> {
  const updated = updatedOnMs(shape, entity, i);
  const extra = FIELDS[entity as keyof typeof FIELDS]?.(i) ?? { name: `${entity.replace(/_/g, ' ')} ${i + 1}` };
  return { id: i + 1, ...extra, createdOn: iso(updated - ((i * 7919) % 864_000) * 1000), updatedOn: iso(updated) };
}
