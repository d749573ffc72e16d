import { InvalidInputError } from '../../lambdas/errors.js';
import type { Logger } from '../../lambdas/log.js';
import { deleteKeys, GzipJsonLinesWriter, listKeys, putJson } from '../../lambdas/s3.js';
import { daysToExpiry, GOCONTRACTOR_ENTITIES, GoContractorAuthError, type GoContractorApi, type GoContractorEntity } from './api.js';

export interface Counts {
  records: number;
  parts: number;
  bytes: number;
}

/** One entity's export state between tasks: where paging stands, never data or the key. */
export interface GcJob {
  runId: string;
  runStamp: string;
  entity: GoContractorEntity;
  pageSize: number;
  maxPagesPerInvocation: number;
  phase: 'pages' | 'done';
  page: { next: number; part: number };
  totals: Counts;
  result?: Counts & { entity: string; status: 'succeeded'; pages: number };
}

export interface GcPlan {
  runId: string;
  warnings: string[];
  entities: GcJob[];
}

const prefixOf = (entity: string, stamp: string) => `gocontractor/${entity}/${stamp}/`;
const partKey = (prefix: string, n: number) => `${prefix}part-${String(n).padStart(5, '0')}.jsonl.gz`;

/** Validates the input, checks the key's expiry and proves it with one small page, then lays out a job per entity. */
export async function plan(
  event: { input: unknown; executionName: string; startTime: string },
  deps: { api: GoContractorApi; expiresOn?: string; warnDays: number; pageSize: number; maxPagesPerInvocation: number; secretId: string },
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
  const days = daysToExpiry(deps.expiresOn, now);
  if (days !== undefined && days < 0) {
    throw new GoContractorAuthError(`The GoContractor API key in secret '${deps.secretId}' expired on ${deps.expiresOn}; create a new key in Settings › API Integrations and put it in the secret.`);
  }
  if (days !== undefined && days <= deps.warnDays) warnings.push(`The GoContractor API key expires on ${deps.expiresOn}, in ${days} day(s): renew it in Settings › API Integrations.`);
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
      page: { next: 0, part: 0 },
      totals: { records: 0, parts: 0, bytes: 0 },
    })),
  };
}

/**
 * Pages into one part per invocation, from the page the job stands at; part keys are numbered
 * from the run's start, so a retried invocation rewrites its own part and never adds one.
 */
export async function exportPages(job: GcJob, deps: { api: GoContractorApi; bucket: string; log: Logger; remainingMs: () => number; reserveMs: number }): Promise<GcJob> {
  const prefix = prefixOf(job.entity, job.runStamp);
  let writer: GzipJsonLinesWriter | undefined;
  let next: number | null = job.page.next;
  let pages = 0;
  try {
    while (next !== null) {
      const page = await deps.api.page(job.entity, next, job.pageSize);
      if (page.data.length > 0) {
        writer ??= new GzipJsonLinesWriter(deps.bucket, partKey(prefix, job.page.part));
        await writer.writeAll(page.data);
      }
      pages++;
      // Some answers leave nextPage out; numPages then says whether there is more.
      next = page.nextPage ?? (next + 1 < page.numPages ? next + 1 : null);
      if (pages >= job.maxPagesPerInvocation || deps.remainingMs() < deps.reserveMs) break;
    }
  } catch (error) {
    await writer?.abort();
    throw error;
  }
  const written = writer ? await writer.close() : undefined;
  const totals = {
    records: job.totals.records + (written?.records ?? 0),
    parts: job.totals.parts + (written ? 1 : 0),
    bytes: job.totals.bytes + (written?.bytes ?? 0),
  };
  const part = job.page.part + (written ? 1 : 0);
  if (next !== null) return { ...job, page: { next, part }, totals };

  const partKeys = Array.from({ length: totals.parts }, (_, i) => partKey(prefix, i));
  const stale = (await listKeys(deps.bucket, prefix)).filter((k) => k.endsWith('.jsonl.gz') && !partKeys.includes(k));
  if (stale.length > 0) await deleteKeys(deps.bucket, stale);
  await putJson(deps.bucket, `${prefix}_manifest.json`, {
    source: 'gocontractor',
    entity: job.entity,
    records: totals.records,
    parts: totals.parts,
    bytes: totals.bytes,
    partKeys,
    format: 'jsonl.gz',
    runId: job.runId,
    exportedAt: new Date().toISOString(),
  });
  deps.log.info('entity exported', { entity: job.entity, ...totals });
  return { ...job, phase: 'done', page: { next: 0, part }, totals, result: { entity: job.entity, status: 'succeeded', pages: 0, ...totals } };
}
