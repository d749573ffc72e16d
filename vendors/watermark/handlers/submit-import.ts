import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { events } from '../events.js';
import type { Context } from 'aws-lambda';
import { createLogger } from '../../../lambdas/log.js';
import { secretMiddleware } from '../../../lambdas/secrets.js';
import { WatermarkApi } from '../api.js';
import { credentialsFrom, loadConfig, SECRET_CONTEXT_KEY } from '../config.js';
import { submit, type ImportRun } from '../pipeline.js';

const config = loadConfig();
const log = createLogger({ pipeline: 'watermark-import', task: 'SubmitImport' });

export const handler = middy(async (run: ImportRun, context: Context): Promise<ImportRun> =>
  submit(run, new WatermarkApi(config, credentialsFrom(context, config.secretId), log), config.bucket, log),
).use(edge('SubmitImport', events.submit, config.secretId))
  .use(secretMiddleware(SECRET_CONTEXT_KEY, config.secretId));
