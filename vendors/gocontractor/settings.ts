import { defineSettings, endpointUrl, intIn, schedule } from '../../lambdas/settings.js';
import { z } from '../../lambdas/zod.js';

/** gocontractor-export's settings: the `gocontractor` section of the deployment config, and its Lambdas' environment. */
export const settings = defineSettings({
  prefix: 'GOCONTRACTOR',
  schema: z.strictObject({
    enabled: z._default(z.boolean(), false),
    schedule: z._default(schedule(), 'cron(0 4 * * ? *)'),
    baseUrl: z._default(endpointUrl(), 'https://integrations.gocontractor.com'),
    authHeader: z._default(z.string().check(z.regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name')), 'X-Api-Key'),
    pageSizeParam: z._default(z.string().check(z.regex(/^[A-Za-z0-9_]+$/, 'must be a query parameter name')), 'PageSize'),
    pageSize: z._default(intIn(1, 1000), 100),
    maxPagesPerInvocation: z._default(intIn(1, 100_000), 500),
    expiryWarnDays: z._default(intIn(1, 1000), 14),
  }),
  runtime: ['baseUrl', 'authHeader', 'pageSizeParam', 'pageSize', 'maxPagesPerInvocation', 'expiryWarnDays'],
  docs: {
    enabled: 'deploy gocontractor-export',
    schedule: 'the nightly export, EventBridge Scheduler `cron()` in `timeZone`',
    baseUrl: 'the integration API base (known from public code, not official documents)',
    authHeader: 'the header that carries the API key (not officially documented: ask GoContractor)',
    pageSizeParam: 'the query parameter for the page size (not officially documented)',
    pageSize: 'records per page',
    maxPagesPerInvocation: 'pages one Lambda invocation fetches before handing back to the state machine',
    expiryWarnDays: 'warn (run output, `etl doctor`, the daily check) this many days before the key expires',
  },
});
