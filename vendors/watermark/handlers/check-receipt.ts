import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { events } from '../events.js';
import { loadConfig } from '../config.js';
import { checkReceipt, startRun, type ImportRun } from '../pipeline.js';

const config = loadConfig();

interface Event {
  input: unknown;
  executionName: string;
}

export const handler = middy(async (event: Event): Promise<ImportRun> =>
  checkReceipt(await startRun(event.input, event.executionName, config.maxPollSeconds, config.bucket), config.bucket, event.executionName),
).use(edge('CheckReceipt', events.checkReceipt));
