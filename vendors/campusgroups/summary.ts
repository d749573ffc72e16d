import type { Counts } from '../../lambdas/counts.js';
import { entityResults, type CaughtEntity, type CaughtError } from '../../lambdas/paged-export.js';
import type { EntityResult } from './export.js';
import type { TimeRange } from './plan.js';

export interface EntityFailure {
  entity: string;
  status: 'failed';
  error: string;
  cause: string;
  /** What the entity had committed before it failed (whole windows only). */
  totals?: Counts & { windows: number };
}

export interface SummaryInput {
  runId: string;
  school: string;
  mode: 'incremental' | 'backfill';
  range: TimeRange | null;
  results: Array<EntityResult | CaughtEntity>;
  /** The entities the plan laid out, and the Map's own failure when it stopped (else null). */
  planned: string[];
  stopped: CaughtError | null;
}

export interface ExportSummary {
  runId: string;
  school: string;
  mode: 'incremental' | 'backfill';
  range: TimeRange | null;
  status: 'succeeded' | 'failed';
  totals: Counts & { entities: number; succeeded: number; failed: number };
  entities: Array<EntityResult | EntityFailure>;
  /** Set when status is failed: what the Fail state reports as the execution's error and cause. */
  error?: string;
  cause?: string;
}

export function summarize(raw: SummaryInput): ExportSummary {
  const input = { ...raw, results: entityResults<EntityResult>(raw.results, raw.planned, raw.stopped) as Array<EntityResult | EntityFailure> };
  const failures = input.results.filter((r): r is EntityFailure => r.status === 'failed');
  const sum = (pick: (r: Counts) => number) =>
    input.results.reduce((n, r) => n + (r.status === 'succeeded' ? pick(r) : r.totals ? pick(r.totals) : 0), 0);
  const summary: ExportSummary = {
    runId: input.runId,
    school: input.school,
    mode: input.mode,
    range: input.range,
    status: failures.length === 0 ? 'succeeded' : 'failed',
    totals: {
      entities: input.results.length,
      succeeded: input.results.length - failures.length,
      failed: failures.length,
      records: sum((c) => c.records),
      parts: sum((c) => c.parts),
      bytes: sum((c) => c.bytes),
      pages: sum((c) => c.pages ?? 0),
    },
    entities: input.results,
  };
  if (failures.length === 0) return summary;

  const names = new Set(failures.map((f) => f.error));
  summary.error = names.size === 1 ? [...names][0]! : 'CampusGroups.EntitiesFailed';
  const others = input.results.length - failures.length;
  summary.cause =
    `${failures.length} of ${input.results.length} entities failed: ` +
    failures.map((f) => `${f.entity} (${f.error}: ${f.cause})`).join('; ') +
    (others > 0 ? `. The other ${others} entities were exported and their cursors committed.` : '.');
  return summary;
}
