import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { events } from '../events.js';
import type { Context } from 'aws-lambda';
import { createLogger } from '../../../lambdas/log.js';
import { secretMiddleware } from '../../../lambdas/secrets.js';
import { WatermarkApi } from '../api.js';
import { credentialsFrom, loadConfig, SECRET_CONTEXT_KEY } from '../config.js';
import { authorize, type ImportRun } from '../pipeline.js';

const config = loadConfig();
const log = createLogger({ pipeline: 'watermark-import', task: 'Authorize' });

export const handler = middy(async (run: ImportRun, context: Context): Promise<ImportRun> =>
  authorize(run, new WatermarkApi(config, credentialsFrom(context, config.secretId), log)),
).use(edge('Authorize', events.authorize, config.secretId))
  .use(secretMiddleware(SECRET_CONTEXT_KEY, config.secretId));
