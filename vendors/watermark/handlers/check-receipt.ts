import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { acquireLease, releaseLease } from '../../../lambdas/leases.js';
import { loadConfig } from '../config.js';
import { events } from '../events.js';
import { batchLease, checkReceipt, startRun, type ImportRun } from '../pipeline.js';

const config = loadConfig();

interface Event {
  input: unknown;
  executionName: string;
}

/**
 * The batch is held for this execution before anything else (two executions of one batch: the
 * second ends Etl.AlreadyRunning and sends nothing), then its receipt decides where to start.
 */
export const handler = middy(async (event: Event): Promise<ImportRun> => {
  const run = await startRun(event.input, event.executionName, config.maxPollSeconds, config.bucket);
  if (!run) return checkReceipt(run, config.bucket, event.executionName);
  await acquireLease(batchLease(run.batch), event.executionName, run.maxPollSeconds + 3600);
  try {
    const out = await checkReceipt(run, config.bucket, event.executionName);
    if (out.phase === 'done') await releaseLease(batchLease(run.batch), event.executionName);
    return out;
  } catch (error) {
    await releaseLease(batchLease(run.batch), event.executionName);
    throw error;
  }
}).use(edge('CheckReceipt', events.checkReceipt));
