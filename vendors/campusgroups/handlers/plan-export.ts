import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { planEvent } from '../events.js';
import type { Context } from 'aws-lambda';
import { createLogger } from '../../../lambdas/log.js';
import { secretMiddleware } from '../../../lambdas/secrets.js';
import { CampusGroupsApi } from '../api.js';
import { acquireAll } from '../../../lambdas/leases.js';
import { ENTITY_LEASE_SECONDS, entityLease } from '../leases.js';
import { credentialsFrom, loadConfig, SECRET_CONTEXT_KEY } from '../config.js';
import { planExport, type ExportPlan, type PlanEvent } from '../export.js';

const config = loadConfig();
const log = createLogger({ pipeline: 'campusgroups-export', task: 'PlanExport' });

export const handler = middy(async (event: PlanEvent, context: Context): Promise<ExportPlan> => {
  const credentials = credentialsFrom(context, config.secretId);
  const api = new CampusGroupsApi(config.baseUrl, credentials, config.secretId, log);
  const plan = await planExport(event, { api, bucket: config.bucket, school: credentials.schoolCode, defaults: config.defaults, log });
  // One execution per entity at a time: a second backfill of an entity already being exported
  // ends Etl.AlreadyRunning before it writes anything. Summarize gives them back.
  await acquireAll(plan.entities.map((e) => entityLease(plan.school, e.entity)), event.executionName, ENTITY_LEASE_SECONDS);
  return plan;
}).use(edge('PlanExport', planEvent, config.secretId))
  .use(secretMiddleware(SECRET_CONTEXT_KEY, config.secretId));
