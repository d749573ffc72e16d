import middy from '@middy/core';
import { edge } from '../../shared/edge.js';
import { entityJob } from '../events.js';
import type { Context } from 'aws-lambda';
import { createLogger } from '../../shared/log.js';
import { secretMiddleware } from '../../shared/secrets.js';
import { CampusGroupsApi } from '../api.js';
import { credentialsFrom, loadConfig, SECRET_CONTEXT_KEY } from '../config.js';
import { startQuery, type EntityJob } from '../export.js';

const config = loadConfig();
const log = createLogger({ pipeline: 'campusgroups-export', task: 'StartQuery' });

export const handler = middy(async (job: EntityJob, context: Context): Promise<EntityJob> => {
  const api = new CampusGroupsApi(config.baseUrl, credentialsFrom(context, config.secretId), config.secretId, log);
  return startQuery(job, api, log);
}).use(edge('StartQuery', entityJob, config.secretId))
  .use(secretMiddleware(SECRET_CONTEXT_KEY, config.secretId));
