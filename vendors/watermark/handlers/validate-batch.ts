import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { events } from '../events.js';
import { createLogger } from '../../../lambdas/log.js';
import { loadConfig } from '../config.js';
import { validate, type ImportRun } from '../pipeline.js';

const config = loadConfig();
const log = createLogger({ pipeline: 'watermark-import', task: 'ValidateBatch' });

export const handler = middy(async (run: ImportRun): Promise<ImportRun> => validate(run, config.bucket, log)).use(edge('ValidateBatch', events.validate));
