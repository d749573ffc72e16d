import { defineSettings, endpointUrl, intIn, schedule } from '../../lambdas/settings.js';
import { z } from '../../lambdas/zod.js';

/** watermark-import's settings: the `watermark` section of the deployment config, and its Lambdas' environment. */
export const settings = defineSettings({
  prefix: 'WATERMARK',
  schema: z.strictObject({
    enabled: z._default(z.boolean(), true),
    schedule: z._default(z.nullable(schedule()), null),
    tokenUrl: z._default(endpointUrl(), 'https://auth.watermarkinsights.com/oauth/token'),
    audience: z._default(endpointUrl(), 'https://api.platform.watermarkinsights.com'),
    apiBaseUrl: z._default(endpointUrl(), 'https://api.platform.watermarkinsights.com'),
    maxPollSeconds: z._default(intIn(60, 86_400), 6 * 3600),
    zipLevel: z._default(intIn(0, 9), 6),
  }),
  runtime: ['tokenUrl', 'audience', 'apiBaseUrl', 'maxPollSeconds', 'zipLevel'],
  docs: {
    enabled: 'deploy watermark-import',
    schedule: 'optional `cron()` that imports the newest batch with a `_READY` marker (drops start runs anyway); `null` for none',
    tokenUrl: 'the OAuth2 token endpoint',
    audience: 'the OAuth2 audience',
    apiBaseUrl: 'the Bulk Import API base',
    maxPollSeconds: 'how long an import may stay In Progress before the run fails with `Watermark.ImportStuck` (a rerun resumes polling)',
    zipLevel: 'deflate level of the ZIP (0–9)',
  },
});
