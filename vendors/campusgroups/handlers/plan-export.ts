import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { planEvent } from '../events.js';
import type { Context } from 'aws-lambda';
import { createLogger } from '../../../lambdas/log.js';
import { secretMiddleware } from '../../../lambdas/secrets.js';
import { CampusGroupsApi } from '../api.js';
import { credentialsFrom, loadConfig, SECRET_CONTEXT_KEY } from '../config.js';
import { planExport, type ExportPlan, type PlanEvent } from '../export.js';

const config = loadConfig();
const log = createLogger({ pipeline: 'campusgroups-export', task: 'PlanExport' });

export const handler = middy(async (event: PlanEvent, context: Context): Promise<ExportPlan> => {
  const credentials = credentialsFrom(context, config.secretId);
  const api = new CampusGroupsApi(config.baseUrl, credentials, config.secretId, log);
  return planExport(event, { api, bucket: config.bucket, school: credentials.schoolCode, defaults: config.defaults, log });
}).use(edge('PlanExport', planEvent, config.secretId))
  .use(secretMiddleware(SECRET_CONTEXT_KEY, config.secretId));
