import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { events } from '../events.js';
import { batchLease, type Delivery } from '../delivery.js';
import { acquireLease, releaseLease } from '../../../lambdas/leases.js';
import { prepare } from '../prepare.js';
import { config } from './common.js';

/** The batch is held for this execution first: a second execution of it ends Etl.AlreadyRunning and sends nothing. */
export const handler = middy(async (event: { input: unknown; executionName: string }): Promise<Delivery> => {
  const batch = (event.input as { batch?: unknown } | null)?.batch;
  const scope = typeof batch === 'string' && batch ? batchLease(batch) : undefined;
  if (scope) await acquireLease(scope, event.executionName, 12 * 3600);
  try {
    const d = await prepare(event.input, event.executionName, config);
    if (d.alreadyDelivered && scope) await releaseLease(scope, event.executionName);
    return d;
  } catch (error) {
    if (scope) await releaseLease(scope, event.executionName);
    throw error;
  }
}).use(edge('PrepareDelivery', events.prepare));
