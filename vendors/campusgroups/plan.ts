import { didYouMean } from '../../lambdas/closest.js';
import { InvalidInputError } from '../../lambdas/errors.js';
import { ENTITIES, isEntity, type Entity } from './entities.js';

/** The state machine's input. Every field is optional: `{}` is the nightly incremental run. */
export interface ExportRequest {
  entities?: string[];
  updatedStart?: string;
  updatedEnd?: string;
  lookbackHours?: number;
  windowDays?: number;
  concurrency?: number;
  pageSize?: number;
  maxPagesPerInvocation?: number;
  queryReadyTimeoutSeconds?: number;
}

export interface ExportDefaults {
  lookbackHours: number;
  windowDays: number;
  concurrency: number;
  pageSize: number;
  maxPagesPerInvocation: number;
  queryReadyTimeoutSeconds: number;
}

export const BUILT_IN_DEFAULTS: ExportDefaults = {
  lookbackHours: 48,
  windowDays: 31,
  concurrency: 4,
  pageSize: 999,
  maxPagesPerInvocation: 200,
  queryReadyTimeoutSeconds: 3600,
};

export interface TimeRange {
  start: string;
  end: string;
}

export interface ValidRequest {
  entities: Entity[];
  mode: 'incremental' | 'backfill';
  range?: TimeRange;
  settings: ExportDefaults;
}

const KNOWN_FIELDS = new Set([
  'entities',
  'updatedStart',
  'updatedEnd',
  'lookbackHours',
  'windowDays',
  'concurrency',
  'pageSize',
  'maxPagesPerInvocation',
  'queryReadyTimeoutSeconds',
]);

// A date, or a date-time with seconds and an explicit zone: the forms the API documents.
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Seconds precision, UTC, the form the API's own examples use. */
export const toIso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function parseIso(field: string, value: unknown, endOfDay = false): number {
  if (typeof value !== 'string' || !ISO.test(value)) {
    throw new InvalidInputError(`${field} must be an ISO 8601 date or date-time with a zone (e.g. 2025-01-31 or 2025-01-31T00:00:00Z), got ${JSON.stringify(value)}`);
  }
  const dateOnly = value.length === 10;
  const ms = Date.parse(dateOnly ? `${value}T00:00:00Z` : value);
  const day = value.slice(0, 10);
  if (Number.isNaN(ms) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) {
    throw new InvalidInputError(`${field} is not a real date: ${JSON.stringify(value)}`);
  }
  // A date alone as updatedEnd means the whole day, as the API's inclusive bounds do.
  return dateOnly && endOfDay ? ms + 86_400_000 - 1000 : ms;
}

function positiveInt(field: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidInputError(`${field} must be an integer from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Validates the input before any request; every message names the field and the value. */
export function validateRequest(input: unknown, defaults: ExportDefaults, now: number): ValidRequest {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidInputError(`The input must be a JSON object, got ${JSON.stringify(input)}`);
  }
  const req = input as Record<string, unknown>;
  for (const field of Object.keys(req)) {
    if (!KNOWN_FIELDS.has(field)) throw new InvalidInputError(`Unknown input field '${field}' (known: ${[...KNOWN_FIELDS].join(', ')})`);
  }

  let entities: Entity[] = [...ENTITIES];
  if (req.entities !== undefined) {
    if (!Array.isArray(req.entities) || req.entities.length === 0) {
      throw new InvalidInputError(`entities must be a non-empty list of entity names, got ${JSON.stringify(req.entities)}`);
    }
    const unknown = req.entities.filter((e) => typeof e !== 'string' || !isEntity(e));
    if (unknown.length > 0) {
      const hint = unknown.length === 1 && typeof unknown[0] === 'string' ? didYouMean(unknown[0], ENTITIES) : '';
      throw new InvalidInputError(`Unknown entity ${unknown.map((e) => JSON.stringify(e)).join(', ')}${hint}; known entities: ${ENTITIES.join(', ')}`);
    }
    entities = [...new Set(req.entities as Entity[])];
  }

  const settings: ExportDefaults = {
    lookbackHours: req.lookbackHours === undefined ? defaults.lookbackHours : positiveInt('lookbackHours', req.lookbackHours, 24 * 366),
    windowDays: req.windowDays === undefined ? defaults.windowDays : positiveInt('windowDays', req.windowDays, 366),
    concurrency: req.concurrency === undefined ? defaults.concurrency : positiveInt('concurrency', req.concurrency, 40),
    pageSize: req.pageSize === undefined ? defaults.pageSize : positiveInt('pageSize', req.pageSize, 999),
    maxPagesPerInvocation:
      req.maxPagesPerInvocation === undefined ? defaults.maxPagesPerInvocation : positiveInt('maxPagesPerInvocation', req.maxPagesPerInvocation, 100_000),
    queryReadyTimeoutSeconds:
      req.queryReadyTimeoutSeconds === undefined
        ? defaults.queryReadyTimeoutSeconds
        : positiveInt('queryReadyTimeoutSeconds', req.queryReadyTimeoutSeconds, 86_400),
  };

  if (req.updatedStart === undefined && req.updatedEnd === undefined) return { entities, mode: 'incremental', settings };
  if (req.updatedStart === undefined) throw new InvalidInputError('updatedEnd was given without updatedStart; a backfill needs updatedStart');
  const start = parseIso('updatedStart', req.updatedStart);
  if (start > now) throw new InvalidInputError(`updatedStart ${JSON.stringify(req.updatedStart)} is in the future`);
  // Nothing can have been updated after the run started, and a cursor must never pass "now".
  const end = Math.min(now, req.updatedEnd === undefined ? now : parseIso('updatedEnd', req.updatedEnd, true));
  if (start > end) {
    throw new InvalidInputError(`updatedStart ${JSON.stringify(req.updatedStart)} is after updatedEnd ${JSON.stringify(req.updatedEnd ?? toIso(now))}`);
  }
  const range = { start: toIso(start), end: toIso(end) };
  const windows = windowCount(range, settings.windowDays);
  const events = plannedEvents(entities.length, windows);
  if (events > HISTORY_BUDGET) {
    const days = maxDaysPerExecution(entities.length, settings.windowDays);
    throw new InvalidInputError(
      `This backfill is ${entities.length} entities × ${windows.toLocaleString('en-US')} windows of ${settings.windowDays} days: about ` +
        `${events.toLocaleString('en-US')} history events, past the ${HISTORY_BUDGET.toLocaleString('en-US')} one execution plans for ` +
        `(Step Functions stops an execution at 25,000). ` +
        (days > 0
          ? `Split it into executions of at most ${days} days: ./bin/etl.mjs backfill campusgroups-export --from ${range.start.slice(0, 10)} --to ${range.end.slice(0, 10)}` +
            `${req.entities ? ` --entities ${entities.join(',')}` : ''} --window-days ${settings.windowDays} does that.`
          : `Export fewer entities per execution, or use larger windowDays.`),
    );
  }
  return { entities, mode: 'backfill', range, settings };
}

/**
 * What one execution may plan: Step Functions fails an execution at 25,000 history events.
 * A window costs at least StartQuery (5 events), ExportPages (5), the Choice (2) and its
 * polls (3 each, typically 3–6 of them): 30 is the figure planned with, leaving room for
 * longer waits and extra page batches; each entity adds its Map iteration and end (4), the
 * run its plan, summary and end (about 20). A plan past the budget is refused with the numbers.
 */
export const HISTORY_BUDGET = 20_000;
export const EVENTS_PER_WINDOW = 30;

export function plannedEvents(entities: number, windows: number): number {
  return 20 + entities * (4 + windows * EVENTS_PER_WINDOW);
}

/** The longest date range per execution that fits the budget, in days, for these entities and windows. */
export function maxDaysPerExecution(entities: number, windowDays: number): number {
  const windows = Math.floor((HISTORY_BUDGET - 20 - 4 * entities) / (entities * EVENTS_PER_WINDOW));
  return Math.max(0, windows) * windowDays;
}

/** How many windows of `windowDays` cover the inclusive range. */
export function windowCount(range: TimeRange, windowDays: number): number {
  const span = Date.parse(range.end) - Date.parse(range.start) + 1000;
  return Math.max(1, Math.ceil(span / (windowDays * 86_400_000)));
}

/**
 * Window `index` of the range. Both bounds are inclusive in the API, so a window ends one
 * second before the next begins: a record on a boundary lands in exactly one window.
 */
export function windowAt(range: TimeRange, windowDays: number, index: number): TimeRange {
  const day = 86_400_000;
  const start = Date.parse(range.start) + index * windowDays * day;
  const end = Math.min(start + windowDays * day - 1000, Date.parse(range.end));
  return { start: toIso(start), end: toIso(end) };
}

/** The incremental range of one entity: from its cursor less the lookback (the export feed lags live data) to now. */
export function incrementalRange(cursor: string | undefined, lookbackHours: number, now: number): TimeRange {
  const from = cursor ? Date.parse(cursor) : now;
  const start = Math.min(from, now) - lookbackHours * 3_600_000;
  return { start: toIso(start), end: toIso(now) };
}
