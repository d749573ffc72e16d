import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { summaryInput } from '../events.js';
import { createLogger } from '../../../lambdas/log.js';
import { emitMetrics } from '../../../lambdas/metrics.js';
import { summarize, type ExportSummary, type SummaryInput } from '../summary.js';
import { releaseAll } from '../../../lambdas/leases.js';
import { entityLease } from '../leases.js';

const log = createLogger({ pipeline: 'campusgroups-export', task: 'Summarize' });

export const handler = middy(async (input: SummaryInput): Promise<ExportSummary> => {
  const summary = summarize(input);
  await releaseAll(summary.entities.map((r) => entityLease(input.school, r.entity)), input.runId);
  log.info('export finished', { status: summary.status, totals: summary.totals, error: summary.error });
  emitMetrics({ Pipeline: 'campusgroups-export' }, { RecordsMoved: summary.totals.records, BytesMoved: summary.totals.bytes, EntitiesFailed: summary.totals.failed });
  return summary;
}).use(edge('Summarize', summaryInput));
