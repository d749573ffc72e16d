import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { planEvent } from '../events.js';
import type { Context } from 'aws-lambda';
import { createLogger } from '../../../lambdas/log.js';
import { secretMiddleware } from '../../../lambdas/secrets.js';
import { GoContractorApi } from '../api.js';
import { acquireAll } from '../../../lambdas/leases.js';
import { entityLease } from '../summary.js';
import { keyFrom, loadConfig, SECRET_CONTEXT_KEY } from '../config.js';
import { plan, type GcPlan } from '../export.js';

const config = loadConfig();
const log = createLogger({ pipeline: 'gocontractor-export', task: 'PlanExport' });

export const handler = middy(async (event: { input: unknown; executionName: string; startTime: string }, context: Context): Promise<GcPlan> => {
  const key = keyFrom(context, config.secretId);
  const api = new GoContractorApi(config, key.apiKey, log);
  const planned = await plan(event, { api, expiresOn: key.expiresOn, timeZone: config.timeZone, warnDays: config.warnDays, pageSize: config.pageSize, maxPagesPerInvocation: config.maxPagesPerInvocation, secretId: config.secretId });
  // One execution per entity at a time; Summarize gives them back.
  await acquireAll(planned.entities.map((e) => entityLease(e.entity)), event.executionName, 24 * 3600);
  return planned;
}).use(edge('PlanExport', planEvent, config.secretId))
  .use(secretMiddleware(SECRET_CONTEXT_KEY, config.secretId));
