import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { gcJob } from '../events.js';
import type { Context } from 'aws-lambda';
import { createLogger } from '../../../lambdas/log.js';
import { secretMiddleware } from '../../../lambdas/secrets.js';
import { GoContractorApi } from '../api.js';
import { keyFrom, loadConfig, SECRET_CONTEXT_KEY } from '../config.js';
import { exportPages, type GcJob } from '../export.js';

const config = loadConfig();
const log = createLogger({ pipeline: 'gocontractor-export', task: 'ExportPages' });

export const handler = middy(async (job: GcJob, context: Context): Promise<GcJob> =>
  exportPages(job, {
    api: new GoContractorApi(config, keyFrom(context, config.secretId).apiKey, log),
    bucket: config.bucket,
    log,
    remainingMs: () => context.getRemainingTimeInMillis(),
    reserveMs: config.reserveMs,
  }),
).use(edge('ExportPages', gcJob, config.secretId))
  .use(secretMiddleware(SECRET_CONTEXT_KEY, config.secretId));
