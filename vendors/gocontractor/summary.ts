import { addCounts, noCounts, type Counts } from '../../lambdas/counts.js';
import { entityResults, type CaughtEntity, type CaughtError } from '../../lambdas/paged-export.js';

/** What an execution holds while it exports an entity (lambdas/leases.ts). */
export const entityLease = (entity: string) => `gocontractor/${entity}`;

export interface GcSummary {
  runId: string;
  status: 'succeeded' | 'failed';
  warnings: string[];
  entities: Array<Record<string, unknown>>;
  totals: Counts;
  error?: string;
  cause?: string;
}

export function summarize(input: { runId: string; warnings: string[]; results: Array<(Record<string, unknown> & { entity: string; status: string }) | CaughtEntity>; planned: string[]; stopped: CaughtError | null }): GcSummary {
  const results: Array<Record<string, unknown>> = entityResults(input.results, input.planned, input.stopped);
  const failed = results.filter((r) => r.status === 'failed');
  let totals = noCounts();
  for (const r of results) {
    const c = (r.status === 'failed' ? r.totals : r) as Partial<Counts> | undefined;
    totals = addCounts(totals, { records: c?.records ?? 0, parts: c?.parts ?? 0, bytes: c?.bytes ?? 0, pages: c?.pages ?? 0 });
  }
  const summary: GcSummary = { runId: input.runId, status: failed.length ? 'failed' : 'succeeded', warnings: input.warnings, entities: results, totals };
  if (failed.length) {
    const names = new Set(failed.map((f) => String(f.error)));
    summary.error = names.size === 1 ? [...names][0]! : 'GoContractor.EntitiesFailed';
    summary.cause = `${failed.length} of ${results.length} entities failed: ${failed.map((f) => `${String(f.entity)} (${String(f.error)}: ${String(f.cause)})`).join('; ')}`;
  }
  return summary;
}
