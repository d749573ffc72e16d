import { addCounts, commitForward, finishSegment, newSegment, noCounts, pageBatchCap, pageSegment, type Counts, type Cursor, type SegmentState } from '../../lambdas/paged-export.js';
import { getJson } from '../../lambdas/s3.js';
import { UnexpectedResponseError } from '../../lambdas/errors.js';
import type { Logger } from '../../lambdas/log.js';
import { jsonScalarText } from '../../lambdas/json.js';
import type { CampusGroupsApi } from './api.js';
import type { Entity } from './entities.js';
import { QueryNeverReadyError, QueryNotReadyError } from './errors.js';
import { InvalidInputError } from '../../lambdas/errors.js';
import { EVENTS_PER_WINDOW, HISTORY_BUDGET, incrementalRange, toIso, validateRequest, windowAt, windowCount, type ExportDefaults, type TimeRange } from './plan.js';

export interface Totals extends Counts {
  windows: number;
}

export interface EntityResult extends Totals {
  entity: Entity;
  status: 'succeeded';
  cursor?: string;
}

/**
 * The state of one entity's export, carried from task to task by the state machine. It holds
 * no record data and no secret: only where the export stands, so a retried task resumes
 * from the last page boundary it reached.
 */
export interface EntityJob {
  runId: string;
  school: string;
  entity: Entity;
  mode: 'incremental' | 'backfill';
  range: TimeRange;
  windowDays: number;
  windowIndex: number;
  windowCount: number;
  settings: { pageSize: number; maxPagesPerInvocation: number; queryReadyTimeoutSeconds: number };
  /** What the next task does: request a query for the current window, export pages, or nothing. */
  phase: 'query' | 'pages' | 'done';
  query?: { id: string; startedAt: string };
  /** The current window's paging: its next part and the NextToken of its next page. */
  segment: SegmentState<string>;
  /**
   * Windows overlap by one second (see queryWindow): `seen` holds the records (id|updatedOn)
   * the previous window already exported from that second, `carry` those of this window that
   * the next one will see again.
   */
  edge?: { seen: string[]; carry: string[] };
  totals: Totals;
  result?: EntityResult;
  /** Page batches (ExportPages invocations) the state machine lets this entity take: see pageBatchCap. */
  maxPageBatches: number;
}

const compact = (iso: string) => iso.replace(/[-:]/g, '');

export const windowPrefix = (school: string, entity: string, window: TimeRange) =>
  `campusgroups/${school}/${entity}/${compact(window.start)}_${compact(window.end)}/`;

export const cursorKey = (school: string, entity: string) => `state/campusgroups/${school}/cursors/${entity}.json`;

export const readCursor = (bucket: string, school: string, entity: string) => getJson<Cursor>(bucket, cursorKey(school, entity));

export function newJob(fields: Omit<EntityJob, 'phase' | 'segment' | 'totals' | 'windowIndex' | 'maxPageBatches'>): EntityJob {
  return { ...fields, windowIndex: 0, phase: 'query', segment: newSegment(), totals: { ...noCounts(), windows: 0 }, maxPageBatches: fields.windowCount };
}

/**
 * What a window asks the API for. The document types the bounds as date-time, inclusive, and
 * never says updatedOn is whole seconds; a record at 23:59:59.500 must not fall between a
 * window ending 23:59:59 and the next starting 00:00:00. So each window but the last asks up
 * to the next window's start, inclusive: the edge second is asked twice, and the records both
 * windows answer are dropped from the second by (id, updatedOn).
 */
export function queryWindow(job: Pick<EntityJob, 'range' | 'windowDays' | 'windowIndex' | 'windowCount'>): TimeRange {
  const window = windowAt(job.range, job.windowDays, job.windowIndex);
  if (job.windowIndex + 1 >= job.windowCount) return window;
  return { start: window.start, end: windowAt(job.range, job.windowDays, job.windowIndex + 1).start };
}

/** Records updated within one second at a window edge that one export carries; more fail the entity by name. */
export const EDGE_LIMIT = 5000;

const edgeKey = (record: unknown): string | undefined => {
  const r = record as { id?: unknown; updatedOn?: unknown } | null;
  return r && r.id !== undefined && typeof r.updatedOn === 'string' ? `${jsonScalarText(r.id)}|${r.updatedOn}` : undefined;
};

export async function startQuery(job: EntityJob, api: CampusGroupsApi, log: Logger): Promise<EntityJob> {
  const window = queryWindow(job);
  const id = await api.requestQuery(job.entity, window);
  log.info('query requested', { entity: job.entity, queryId: id, window });
  return { ...job, phase: 'pages', query: { id, startedAt: new Date().toISOString() }, segment: newSegment() };
}

export interface ExportDeps {
  api: CampusGroupsApi;
  bucket: string;
  log: Logger;
  /** Stop starting new pages once less than this is left; the state machine calls again. */
  remainingMs: () => number;
  reserveMs: number;
  now?: () => number;
}

/**
 * Fetches pages of the current query into one part through the paged-export engine. A 202 is
 * thrown as QueryNotReady for the state machine to retry with a growing interval; past the
 * ceiling it becomes QueryNeverReady.
 */
export async function exportPages(job: EntityJob, deps: ExportDeps): Promise<EntityJob> {
  const { api, bucket, log } = deps;
  const now = deps.now ?? Date.now;
  if (!job.query) throw new Error(`exportPages called for '${job.entity}' without a query`);
  const { id: queryId } = job.query;
  const { pageSize, maxPagesPerInvocation, queryReadyTimeoutSeconds } = job.settings;
  const window = windowAt(job.range, job.windowDays, job.windowIndex);
  const prefix = windowPrefix(job.school, job.entity, window);

  const asked = queryWindow(job);
  const lastWindow = job.windowIndex + 1 >= job.windowCount;
  const nextStart = Date.parse(asked.end);
  const seen = new Set(job.edge?.seen ?? []);
  const carry = new Set(job.edge?.carry ?? []);
  const outcome = await pageSegment(job.segment, {
    vendor: 'CampusGroups',
    label: `entity ${job.entity}, query ${queryId}`,
    bucket,
    prefix,
    fetch: async (token) => {
      const answer = await api.fetchPage(job.entity, queryId, token, pageSize);
      if (!answer.ready) return answer;
      // Nothing to drop and nothing to carry (one window, or the last, with no edge behind it):
      // the page as it is, without a key per record.
      if (seen.size === 0 && lastWindow) return answer;
      const records = answer.records.filter((r) => {
        const key = edgeKey(r);
        if (key !== undefined && seen.has(key)) return false;
        // A record in the second the next window asks again: remember it, so that window drops it.
        if (!lastWindow && key !== undefined && Date.parse((r as { updatedOn: string }).updatedOn) >= nextStart - (nextStart % 1000)) carry.add(key);
        return true;
      });
      if (carry.size > EDGE_LIMIT) {
        throw new UnexpectedResponseError(
          'CampusGroups',
          `entity ${job.entity}: more than ${EDGE_LIMIT} records were updated within the second at ${asked.end}, a window edge; export it with a windowDays that puts the edge elsewhere`,
        );
      }
      return { ...answer, records };
    },
    maxPages: maxPagesPerInvocation,
    remainingMs: deps.remainingMs,
    reserveMs: deps.reserveMs,
    log,
  });
  if (outcome.kind === 'not-ready') {
    const elapsed = Math.round((now() - Date.parse(job.query.startedAt)) / 1000);
    // The ceiling is on waiting for a query to start answering, not on a long export already under way.
    const waitingForFirstPage = job.segment.cursor === undefined;
    if (waitingForFirstPage && elapsed >= queryReadyTimeoutSeconds) throw new QueryNeverReadyError(job.entity, queryId, elapsed, queryReadyTimeoutSeconds);
    throw new QueryNotReadyError(job.entity, queryId, elapsed);
  }
  const edge = { seen: [...seen], carry: [...carry] };
  if (outcome.kind === 'more') return { ...job, segment: outcome.state, edge };
  return finishWindow({ ...job, segment: outcome.state, edge }, window, prefix, deps);
}

async function finishWindow(job: EntityJob, window: TimeRange, prefix: string, deps: ExportDeps): Promise<EntityJob> {
  const { bucket, log } = deps;
  const counts = job.segment.counts;
  await finishSegment({
    bucket,
    prefix,
    counts,
    log,
    manifest: { source: 'campusgroups', school: job.school, entity: job.entity, window, asked: queryWindow(job), queryId: job.query?.id, mode: job.mode, runId: job.runId },
  });
  // Only now, with the data and its manifest written, may the cursor move; and only forward.
  const cursor = await commitForward(bucket, cursorKey(job.school, job.entity), window.end, { entity: job.entity, runId: job.runId });
  log.info('window exported', { entity: job.entity, window, records: counts.records, parts: counts.parts, cursor });

  const totals = { ...addCounts(job.totals, counts), windows: job.totals.windows + 1 };
  const { query: _done, ...rest } = job;
  if (job.windowIndex + 1 < job.windowCount) {
    // What this window took from the shared second, the next one drops.
    return { ...rest, phase: 'query', windowIndex: job.windowIndex + 1, segment: newSegment(), totals, edge: { seen: job.edge?.carry ?? [], carry: [] } };
  }
  return { ...rest, phase: 'done', segment: newSegment(), totals, result: { entity: job.entity, status: 'succeeded', ...totals, cursor } };
}

export interface PlanEvent {
  request: unknown;
  /** $$.Execution.Name: ties every object and cursor this run writes to the execution. */
  executionName: string;
  /** $$.Execution.StartTime: "now" for the whole run, the same for a retried Plan. */
  startTime: string;
}

export interface ExportPlan {
  runId: string;
  school: string;
  mode: 'incremental' | 'backfill';
  /** The backfill's range; null for an incremental run, whose ranges are per entity. */
  range: TimeRange | null;
  concurrency: number;
  entities: EntityJob[];
  /** Set by the state machine's Catch when its entity map itself fails; null until then. */
  stopped: null;
}

/**
 * Validates the request, proves the credentials with one small query (so a wrong school
 * code or secret fails the run before any entity starts), and lays out one job per entity.
 */
export async function planExport(
  event: PlanEvent,
  deps: { api: CampusGroupsApi; bucket: string; school: string; defaults: ExportDefaults; log: Logger },
): Promise<ExportPlan> {
  const now = Date.parse(event.startTime);
  const request = validateRequest(event.request, deps.defaults, now);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(deps.school)) {
    throw new InvalidInputError(`The school code in the CampusGroups secret must be letters, digits, '-', '_' or '.', got ${JSON.stringify(deps.school)}`);
  }
  const nowIso = toIso(now);
  await deps.api.requestQuery(request.entities[0]!, { start: nowIso, end: nowIso });

  const { windowDays, pageSize, maxPagesPerInvocation, queryReadyTimeoutSeconds, lookbackHours, concurrency } = request.settings;
  const entities: EntityJob[] = [];
  for (const entity of request.entities) {
    const range = request.range ?? incrementalRange((await readCursor(deps.bucket, deps.school, entity))?.cursor, lookbackHours, now);
    entities.push(
      newJob({
        runId: event.executionName,
        school: deps.school,
        entity,
        mode: request.mode,
        range,
        windowDays,
        windowCount: windowCount(range, windowDays),
        settings: { pageSize, maxPagesPerInvocation, queryReadyTimeoutSeconds },
      }),
    );
  }
  // An incremental run from old cursors can be as long as a backfill: the same budget holds.
  const events = 20 + entities.reduce((n, e) => n + 4 + e.windowCount * EVENTS_PER_WINDOW, 0);
  if (events > HISTORY_BUDGET) {
    const oldest = entities.reduce((a, e) => (e.range.start < a ? e.range.start : a), entities[0]!.range.start);
    throw new InvalidInputError(
      `This incremental run would plan about ${events.toLocaleString('en-US')} history events (cursors reach back to ${oldest}), past the ` +
        `${HISTORY_BUDGET.toLocaleString('en-US')} one execution plans for; catch up with ./bin/etl.mjs backfill campusgroups-export --from ${oldest.slice(0, 10)} --to <today>, then run it again.`,
    );
  }
  // The state machine ends an entity's page loop past its share of the history the plan leaves.
  for (const job of entities) job.maxPageBatches = pageBatchCap(job.windowCount, events, entities.length);
  deps.log.info('export planned', { mode: request.mode, range: request.range, entities: request.entities.length, concurrency, maxPageBatches: entities[0]?.maxPageBatches });
  return {
    runId: event.executionName,
    school: deps.school,
    mode: request.mode,
    range: request.range ?? null,
    concurrency,
    entities,
    stopped: null,
  };
}
