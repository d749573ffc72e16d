import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { events } from '../events.js';
import { loadConfig } from '../config.js';
import type { ImportRun } from '../pipeline.js';
import { zip } from '../zip.js';

const config = loadConfig();

export const handler = middy(async (run: ImportRun): Promise<ImportRun> => zip(run, config.bucket, config.zipLevel)).use(edge('ZipBatch', events.zip));
