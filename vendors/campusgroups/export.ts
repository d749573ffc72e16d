import { deleteKeys, getJson, GzipJsonLinesWriter, listKeys, putJson } from '../../lambdas/s3.js';
import type { Logger } from '../../lambdas/log.js';
import type { CampusGroupsApi } from './api.js';
import type { Entity } from './entities.js';
import { QueryNeverReadyError, QueryNotReadyError } from './errors.js';
import { InvalidInputError } from '../../lambdas/errors.js';
import { incrementalRange, toIso, validateRequest, windowAt, windowCount, type ExportDefaults, type TimeRange } from './plan.js';

export interface Counts {
  records: number;
  parts: number;
  bytes: number;
}

export interface EntityResult extends Counts {
  entity: Entity;
  status: 'succeeded';
  windows: number;
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
  /** The next part number and the token of the next page to fetch (none: the first page). */
  page: { part: number; token?: string };
  window: Counts;
  totals: Counts & { windows: number };
  result?: EntityResult;
}

export interface Cursor {
  entity: string;
  cursor: string;
  committedAt: string;
  runId: string;
}

const compact = (iso: string) => iso.replace(/[-:]/g, '');

export const windowPrefix = (school: string, entity: string, window: TimeRange) =>
  `campusgroups/${school}/${entity}/${compact(window.start)}_${compact(window.end)}/`;

export const partKey = (prefix: string, part: number) => `${prefix}part-${String(part).padStart(5, '0')}.jsonl.gz`;

export const cursorKey = (school: string, entity: string) => `state/campusgroups/${school}/cursors/${entity}.json`;

export const readCursor = (bucket: string, school: string, entity: string) => getJson<Cursor>(bucket, cursorKey(school, entity));

const zero = (): Counts => ({ records: 0, parts: 0, bytes: 0 });

export function newJob(fields: Omit<EntityJob, 'phase' | 'page' | 'window' | 'totals' | 'windowIndex'>): EntityJob {
  return { ...fields, windowIndex: 0, phase: 'query', page: { part: 0 }, window: zero(), totals: { ...zero(), windows: 0 } };
}

export async function startQuery(job: EntityJob, api: CampusGroupsApi, log: Logger): Promise<EntityJob> {
  const window = windowAt(job.range, job.windowDays, job.windowIndex);
  const id = await api.requestQuery(job.entity, window);
  log.info('query requested', { entity: job.entity, queryId: id, window });
  return { ...job, phase: 'pages', query: { id, startedAt: new Date().toISOString() }, page: { part: 0 }, window: zero() };
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
 * Fetches pages of the current query into one part, until the query ends, the page budget
 * is spent or the Lambda's time runs short. A 202 is thrown as QueryNotReady for the state
 * machine to retry with a growing interval; past the ceiling it becomes QueryNeverReady.
 */
export async function exportPages(job: EntityJob, deps: ExportDeps): Promise<EntityJob> {
  const { api, bucket, log } = deps;
  const now = deps.now ?? Date.now;
  if (!job.query) throw new Error(`exportPages called for '${job.entity}' without a query`);
  const { id: queryId } = job.query;
  const { pageSize, maxPagesPerInvocation, queryReadyTimeoutSeconds } = job.settings;
  const window = windowAt(job.range, job.windowDays, job.windowIndex);
  const prefix = windowPrefix(job.school, job.entity, window);

  let answer = await api.fetchPage(job.entity, queryId, job.page.token, pageSize);
  if (!answer.ready) {
    const elapsed = Math.round((now() - Date.parse(job.query.startedAt)) / 1000);
    // The ceiling is on waiting for a query to start answering, not on a long export already under way.
    const waitingForFirstPage = job.page.token === undefined;
    if (waitingForFirstPage && elapsed >= queryReadyTimeoutSeconds) {
      throw new QueryNeverReadyError(job.entity, queryId, elapsed, queryReadyTimeoutSeconds);
    }
    throw new QueryNotReadyError(job.entity, queryId, elapsed);
  }

  // The part is opened only once there is something to put in it, so an empty window writes no part.
  let writer: GzipJsonLinesWriter | undefined;
  let pages = 0;
  let token: string | undefined;
  try {
    for (;;) {
      if (answer.results.length > 0) {
        writer ??= new GzipJsonLinesWriter(bucket, partKey(prefix, job.page.part));
        await writer.writeAll(answer.results);
      }
      pages++;
      token = answer.nextToken;
      if (!token || pages >= maxPagesPerInvocation || deps.remainingMs() < deps.reserveMs) break;
      answer = await api.fetchPage(job.entity, queryId, token, pageSize);
      if (!answer.ready) throw new QueryNotReadyError(job.entity, queryId, 0);
    }
  } catch (error) {
    await writer?.abort();
    throw error;
  }

  const written = writer ? await writer.close() : undefined;
  const windowCounts: Counts = {
    records: job.window.records + (written?.records ?? 0),
    parts: job.window.parts + (written ? 1 : 0),
    bytes: job.window.bytes + (written?.bytes ?? 0),
  };
  if (written) log.info('part written', { entity: job.entity, key: written.key, records: written.records, bytes: written.bytes, pages });

  if (token) {
    return { ...job, page: { part: job.page.part + (written ? 1 : 0), token }, window: windowCounts };
  }
  return finishWindow({ ...job, window: windowCounts }, window, prefix, deps);
}

async function finishWindow(job: EntityJob, window: TimeRange, prefix: string, deps: ExportDeps): Promise<EntityJob> {
  const { bucket, log } = deps;
  const partKeys = Array.from({ length: job.window.parts }, (_, i) => partKey(prefix, i));

  // Parts beyond this run's count are left from an earlier, longer attempt at the same window.
  const keep = new Set(partKeys);
  const stale = (await listKeys(bucket, prefix)).filter((k) => /part-\d{5}\.jsonl\.gz$/.test(k) && !keep.has(k));
  if (stale.length > 0) {
    log.warn('removing parts left by an earlier attempt', { entity: job.entity, stale });
    await deleteKeys(bucket, stale);
  }

  await putJson(bucket, `${prefix}_manifest.json`, {
    source: 'campusgroups',
    school: job.school,
    entity: job.entity,
    window,
    queryId: job.query?.id,
    records: job.window.records,
    parts: job.window.parts,
    bytes: job.window.bytes,
    partKeys,
    format: 'jsonl.gz',
    mode: job.mode,
    runId: job.runId,
    exportedAt: new Date().toISOString(),
  });

  // Only now, with the data and its manifest written, may the cursor move; and only forward.
  const cursor = await commitCursor(bucket, job, window.end);
  log.info('window exported', { entity: job.entity, window, records: job.window.records, parts: job.window.parts, cursor });

  const totals = {
    records: job.totals.records + job.window.records,
    parts: job.totals.parts + job.window.parts,
    bytes: job.totals.bytes + job.window.bytes,
    windows: job.totals.windows + 1,
  };
  const { query: _done, ...rest } = job;
  if (job.windowIndex + 1 < job.windowCount) {
    return { ...rest, phase: 'query', windowIndex: job.windowIndex + 1, page: { part: 0 }, window: zero(), totals };
  }
  return {
    ...rest,
    phase: 'done',
    page: { part: 0 },
    window: zero(),
    totals,
    result: {
      entity: job.entity,
      status: 'succeeded',
      records: totals.records,
      parts: totals.parts,
      bytes: totals.bytes,
      windows: totals.windows,
      cursor,
    },
  };
}

async function commitCursor(bucket: string, job: EntityJob, end: string): Promise<string> {
  const key = cursorKey(job.school, job.entity);
  const current = await getJson<Cursor>(bucket, key);
  if (current && Date.parse(current.cursor) >= Date.parse(end)) return current.cursor;
  await putJson(bucket, key, { entity: job.entity, cursor: end, committedAt: new Date().toISOString(), runId: job.runId } satisfies Cursor);
  return end;
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
  deps.log.info('export planned', { mode: request.mode, range: request.range, entities: request.entities.length, concurrency });
  return {
    runId: event.executionName,
    school: deps.school,
    mode: request.mode,
    range: request.range ?? null,
    concurrency,
    entities,
  };
}
