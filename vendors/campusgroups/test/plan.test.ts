import { describe, expect, it } from 'vitest';
import { BUILT_IN_DEFAULTS, HISTORY_BUDGET, incrementalRange, plannedEvents, validateRequest, windowAt, windowCount } from '../plan.js';
import { EVENTS_PER_PAGE_BATCH, HISTORY_EVENT_LIMIT, HISTORY_RESERVE, pageBatchCap } from '../../../lambdas/paged-export.js';

const NOW = Date.parse('2026-11-22T07:00:00Z');

describe('validateRequest', () => {
  it('treats {} as the nightly incremental run of all 23 entities', () => {
    const r = validateRequest({}, BUILT_IN_DEFAULTS, NOW);
    expect(r.mode).toBe('incremental');
    expect(r.entities).toHaveLength(23);
    expect(r.settings).toEqual(BUILT_IN_DEFAULTS);
  });

  it('takes a date-only updatedEnd as the whole day, and never past now', () => {
    expect(validateRequest({ updatedStart: '2025-01-01', updatedEnd: '2025-01-31' }, BUILT_IN_DEFAULTS, NOW).range).toEqual({
      start: '2025-01-01T00:00:00Z',
      end: '2025-01-31T23:59:59Z',
    });
    expect(validateRequest({ updatedStart: '2026-11-01', updatedEnd: '2027-01-01' }, BUILT_IN_DEFAULTS, NOW).range?.end).toBe('2026-11-22T07:00:00Z');
  });

  it.each([
    [[], /input must be a JSON object/],
    [{ entity: ['events'] }, /Unknown input field 'entity'/],
    [{ entities: [] }, /entities must be a non-empty list/],
    [{ entities: ['events', 'Events'] }, /Unknown entity "Events"/],
    [{ updatedEnd: '2025-01-01' }, /updatedEnd was given without updatedStart/],
    [{ updatedStart: '2025-13-01' }, /updatedStart is not a real date: "2025-13-01"/],
    [{ updatedStart: 'yesterday' }, /updatedStart must be an ISO 8601 date/],
    [{ updatedStart: '2025-01-01T00:00:00' }, /updatedStart must be an ISO 8601 date or date-time with a zone/],
    [{ updatedStart: '2025-02-01', updatedEnd: '2025-01-01' }, /updatedStart "2025-02-01" is after updatedEnd "2025-01-01"/],
    [{ updatedStart: '2027-01-01' }, /updatedStart "2027-01-01" is in the future/],
    [{ concurrency: 2.5 }, /concurrency must be an integer from 1 to 40, got 2.5/],
    [{ pageSize: 1000 }, /pageSize must be an integer from 1 to 999, got 1000/],
  ])('rejects %j', (input, message) => {
    expect(() => validateRequest(input, BUILT_IN_DEFAULTS, NOW)).toThrow(message);
  });
});

describe('windows', () => {
  it('cover a range with no gap and no overlap, inclusive bounds one second apart', () => {
    const range = { start: '2025-01-01T00:00:00Z', end: '2025-12-31T23:59:59Z' };
    const n = windowCount(range, 31);
    expect(n).toBe(12);
    const windows = Array.from({ length: n }, (_, i) => windowAt(range, 31, i));
    expect(windows[0]).toEqual({ start: '2025-01-01T00:00:00Z', end: '2025-01-31T23:59:59Z' });
    expect(windows.at(-1)!.end).toBe(range.end);
    for (let i = 1; i < n; i++) expect(Date.parse(windows[i]!.start) - Date.parse(windows[i - 1]!.end)).toBe(1000);
  });

  it('start incremental runs at the cursor less the lookback, or the lookback before now without one', () => {
    expect(incrementalRange('2026-11-21T07:00:00Z', 48, NOW)).toEqual({ start: '2026-11-19T07:00:00Z', end: '2026-11-22T07:00:00Z' });
    expect(incrementalRange(undefined, 48, NOW)).toEqual({ start: '2026-11-20T07:00:00Z', end: '2026-11-22T07:00:00Z' });
  });
});

describe("the page loop's cap (the state machine counts ExportPages turns per entity)", () => {
  it.each([
    [23, 1],
    [23, 28],
    [5, 100],
    [1, 600],
  ])('keeps the history limit out of reach when all %i entities take their cap, %i windows each', (entities, windows) => {
    const planned = plannedEvents(entities, windows);
    expect(planned).toBeLessThanOrEqual(HISTORY_BUDGET);
    const cap = pageBatchCap(windows, planned, entities);
    // Room for more than one batch per window, and every extra batch of every entity still fits.
    expect(cap).toBeGreaterThan(windows + 10);
    expect(planned + entities * (cap - windows) * EVENTS_PER_PAGE_BATCH).toBeLessThanOrEqual(HISTORY_EVENT_LIMIT - HISTORY_RESERVE);
  });
});
