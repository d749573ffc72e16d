import { InvalidInputError } from '../../lambdas/errors.js';
import type { Logger } from '../../lambdas/log.js';
import { EVENTS_PER_PAGE_BATCH, finishSegment, newSegment, noCounts, pageBatchCap, pageSegment, type Counts, type SegmentState } from '../../lambdas/paged-export.js';
import { daysToExpiry, inDays, GOCONTRACTOR_ENTITIES, GoContractorAuthError, type GoContractorApi, type GoContractorEntity } from './api.js';

/** One entity's export state between tasks: where paging stands, never data or the key. */
export interface GcJob {
  runId: string;
  runStamp: string;
  entity: GoContractorEntity;
  pageSize: number;
  maxPagesPerInvocation: number;
  phase: 'pages' | 'done';
  /** The paging: its next part and the PageNumber of its next page. */
  segment: SegmentState<number>;
  totals: Counts;
  result?: Counts & { entity: string; status: 'succeeded' };
  /** Page batches (ExportPages invocations) the state machine lets this entity take: see pageBatchCap. */
  maxPageBatches: number;
}

export interface GcPlan {
  runId: string;
  warnings: string[];
  entities: GcJob[];
  /** Set by the state machine's Catch when its entity map itself fails; null until then. */
  stopped: null;
}

const prefixOf = (entity: string, stamp: string) => `gocontractor/${entity}/${stamp}/`;

/** Validates the input, checks the key's expiry and proves it with one small page, then lays out a job per entity. */
export async function plan(
  event: { input: unknown; executionName: string; startTime: string },
  deps: { api: GoContractorApi; expiresOn?: string; timeZone: string; warnDays: number; pageSize: number; maxPagesPerInvocation: number; secretId: string },
): Promise<GcPlan> {
  const input = event.input;
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new InvalidInputError(`The input must be a JSON object, got ${JSON.stringify(input)}`);
  const { entities, ...rest } = input as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new InvalidInputError(`Unknown input field '${Object.keys(rest)[0]}' (known: entities)`);
  const known = Object.keys(GOCONTRACTOR_ENTITIES);
  const chosen = (entities ?? known) as unknown[];
  if (!Array.isArray(chosen) || chosen.length === 0 || chosen.some((e) => typeof e !== 'string' || !known.includes(e))) {
    throw new InvalidInputError(`entities must be a non-empty list of ${known.join(', ')}, got ${JSON.stringify(entities)}`);
  }
  const now = Date.parse(event.startTime);
  const warnings: string[] = [];
  const days = daysToExpiry(deps.expiresOn, now, deps.timeZone);
  if (days !== undefined && days < 0) {
    throw new GoContractorAuthError(`The GoContractor API key in secret '${deps.secretId}' expired on ${deps.expiresOn}; create a new key in Settings › API Integrations and put it in the secret.`);
  }
  if (days !== undefined && days <= deps.warnDays) warnings.push(`The GoContractor API key expires on ${deps.expiresOn}, ${inDays(days)}: renew it in Settings › API Integrations.`);
  await deps.api.page(chosen[0] as GoContractorEntity, 0, 1);
  const runStamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return {
    runId: event.executionName,
    warnings,
    entities: (chosen as GoContractorEntity[]).map((entity) => ({
      runId: event.executionName,
      runStamp,
      entity,
      pageSize: deps.pageSize,
      maxPagesPerInvocation: deps.maxPagesPerInvocation,
      phase: 'pages',
      segment: newSegment<number>(),
      totals: noCounts(),
      // The run's plan, its summary and end (20), per entity its iteration (4) and one batch with its count and choice.
      maxPageBatches: pageBatchCap(1, 20 + chosen.length * (4 + EVENTS_PER_PAGE_BATCH), chosen.length),
    })),
    stopped: null,
  };
}

/**
 * Pages into one part per invocation through the paged-export engine, from the page the job
 * stands at; part keys are numbered from the run's start, so a retried invocation rewrites its
 * own part and never adds one. Page numbers only go up: a nextPage at or before the current
 * page is an answer the export cannot follow.
 */
export async function exportPages(job: GcJob, deps: { api: GoContractorApi; bucket: string; log: Logger; remainingMs: () => number; reserveMs: number }): Promise<GcJob> {
  const prefix = prefixOf(job.entity, job.runStamp);
  const outcome = await pageSegment<number>(job.segment, {
    vendor: 'GoContractor',
    label: `${job.entity}`,
    bucket: deps.bucket,
    prefix,
    fetch: async (page) => {
      const current = page ?? 0;
      const answer = await deps.api.page(job.entity, current, job.pageSize);
      // Some answers leave nextPage out; numPages then says whether there is more.
      const next = answer.nextPage ?? (current + 1 < answer.numPages ? current + 1 : undefined);
      return { ready: true, records: answer.data, ...(next === undefined ? {} : { next }) };
    },
    orderProblem: (current, next) =>
      !Number.isInteger(next) || next <= (current ?? 0) ? `page ${current ?? 0} answered nextPage ${JSON.stringify(next)}, which is not after it` : undefined,
    maxPages: job.maxPagesPerInvocation,
    remainingMs: deps.remainingMs,
    reserveMs: deps.reserveMs,
    log: deps.log,
  });
  if (outcome.kind !== 'done') return { ...job, segment: outcome.state, totals: outcome.state.counts };
  const totals = outcome.state.counts;
  await finishSegment({ bucket: deps.bucket, prefix, counts: totals, log: deps.log, manifest: { source: 'gocontractor', entity: job.entity, runId: job.runId } });
  deps.log.info('entity exported', { entity: job.entity, ...totals });
  return { ...job, phase: 'done', segment: newSegment(), totals, result: { entity: job.entity, status: 'succeeded', ...totals } };
}
