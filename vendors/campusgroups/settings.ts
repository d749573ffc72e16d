import { defineSettings, endpointUrl, intIn, schedule } from '../../lambdas/settings.js';
import { z } from '../../lambdas/zod.js';

/** campusgroups-export's settings: the `campusgroups` section of the deployment config, and its Lambdas' environment. */
export const settings = defineSettings({
  prefix: 'CAMPUSGROUPS',
  schema: z.strictObject({
    enabled: z._default(z.boolean(), true),
    schedule: z._default(schedule(), 'cron(30 1 * * ? *)'),
    baseUrl: z._default(endpointUrl(), 'https://{school}.service.campusgroups.com/data/v1'),
    lookbackHours: z._default(intIn(1, 24 * 366), 48),
    windowDays: z._default(intIn(1, 366), 31),
    concurrency: z._default(intIn(1, 40), 4),
    pageSize: z._default(intIn(1, 999), 999),
    maxPagesPerInvocation: z._default(intIn(1, 100_000), 200),
    queryReadyTimeoutSeconds: z._default(intIn(60, 86_400), 3600),
  }),
  runtime: ['baseUrl', 'lookbackHours', 'windowDays', 'concurrency', 'pageSize', 'maxPagesPerInvocation', 'queryReadyTimeoutSeconds'],
  docs: {
    enabled: 'deploy campusgroups-export',
    schedule: 'the nightly incremental run, EventBridge Scheduler `cron()` in `timeZone`',
    baseUrl: 'the Data Export API base; `{school}` is replaced by the school code',
    lookbackHours: 'an incremental run starts this long before the last committed cursor (the feed lags by 18–30 h)',
    windowDays: 'backfills are split into windows of this many days',
    concurrency: 'entities exported at once',
    pageSize: 'records per page (the API allows at most 999)',
    maxPagesPerInvocation: 'pages one Lambda invocation fetches before handing back to the state machine',
    queryReadyTimeoutSeconds: 'how long a query may answer 202 before the entity fails with `CampusGroups.QueryNeverReady`',
  },
});
