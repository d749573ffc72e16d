import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { events } from '../events.js';
import { batchLease, record, type Delivery } from '../delivery.js';
import { releaseLease } from '../../../lambdas/leases.js';
import { emitMetrics } from '../../../lambdas/metrics.js';
import { config } from './common.js';

export const handler = middy(async (d: Delivery): Promise<Delivery> => {
  const out = await record(d, config);
  await releaseLease(batchLease(d.batch), d.runId);
  emitMetrics(
    { Pipeline: 'samegoal-delivery' },
    { FilesMoved: d.files.length, RecordsMoved: d.files.reduce((n, f) => n + f.rows, 0), BytesMoved: d.files.reduce((n, f) => n + f.bytes, 0) },
  );
  return out;
}).use(edge('RecordDelivery', events.delivery));
