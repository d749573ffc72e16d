import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { summaryInput } from '../events.js';
import { emitMetrics } from '../../../lambdas/metrics.js';
import { entityLease, summarize, type GcSummary } from '../summary.js';
import { releaseAll } from '../../../lambdas/leases.js';

export const handler = middy(async (input: Parameters<typeof summarize>[0]): Promise<GcSummary> => {
  const summary = summarize(input);
  await releaseAll(summary.entities.map((r) => entityLease(String(r.entity))), input.runId);
  emitMetrics({ Pipeline: 'gocontractor-export' }, { RecordsMoved: summary.totals.records, BytesMoved: summary.totals.bytes });
  return summary;
}).use(edge('Summarize', summaryInput));
