import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { entityJob } from '../events.js';
import type { Context } from 'aws-lambda';
import { createLogger } from '../../../lambdas/log.js';
import { secretMiddleware } from '../../../lambdas/secrets.js';
import { CampusGroupsApi } from '../api.js';
import { credentialsFrom, loadConfig, SECRET_CONTEXT_KEY } from '../config.js';
import { exportPages, type EntityJob } from '../export.js';

const config = loadConfig();
const log = createLogger({ pipeline: 'campusgroups-export', task: 'ExportPages' });

export const handler = middy(async (job: EntityJob, context: Context): Promise<EntityJob> => {
  const api = new CampusGroupsApi(config.baseUrl, credentialsFrom(context, config.secretId), config.secretId, log);
  return exportPages(job, {
    api,
    bucket: config.bucket,
    log,
    remainingMs: () => context.getRemainingTimeInMillis(),
    reserveMs: config.reserveMs,
  });
}).use(edge('ExportPages', entityJob, config.secretId))
  .use(secretMiddleware(SECRET_CONTEXT_KEY, config.secretId));
