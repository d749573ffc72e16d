import type { VendorLocal } from '../../lambdas/connector.js';
import { settingsToEnv } from '../../lambdas/settings.js';
import { CampusGroupsSandbox, SANDBOX_SCHOOL, SANDBOX_SECRET, type CampusGroupsSandboxOptions } from './sandbox/server.js';
import { settings } from './settings.js';

export interface CampusGroupsHandle {
  baseUrl: string;
  sandbox?: CampusGroupsSandbox;
}

/** Locally: the sandbox, unless the local config names a CampusGroups-compatible server. */
export const local: VendorLocal<CampusGroupsHandle> = {
  configFields: {
    schoolCode: 'put in the local secret, sent as `X-CG-School` (default `demo-college`)',
    apiSecret: "put in the local secret, sent as `X-CG-API-Secret` (default: the sandbox's fake one)",
  },
  async start({ config, port, sandbox }) {
    const secret = { schoolCode: config.secret.schoolCode ?? SANDBOX_SCHOOL, apiSecret: config.secret.apiSecret ?? SANDBOX_SECRET };
    let baseUrl = config.settings.baseUrl as string | undefined;
    let server: CampusGroupsSandbox | undefined;
    if (!baseUrl) {
      server = new CampusGroupsSandbox({ school: secret.schoolCode, apiSecret: secret.apiSecret, port, ...(sandbox as Partial<CampusGroupsSandboxOptions>) });
      baseUrl = await server.start();
    }
    const effective = settings.schema.parse({ ...config.settings, baseUrl });
    const fake = secret.apiSecret === SANDBOX_SECRET ? SANDBOX_SECRET : '<apiSecret from the config file>';
    return {
      env: settingsToEnv(settings, effective),
      secret,
      handle: { baseUrl, sandbox: server },
      describe: server
        ? [
            `CampusGroups sandbox: ${baseUrl}`,
            `  try: curl -s -X POST -H 'X-CG-School: ${secret.schoolCode}' -H 'X-CG-API-Secret: ${fake}' '${baseUrl}/events?updatedStart=2025-01-01&updatedEnd=2030-01-01'`,
            `  then: curl -s -H … '${baseUrl}/events?queryId=<queryId>&size=5'   (202 while the query runs, then 200 with Results and NextToken)`,
          ]
        : [`CampusGroups: ${baseUrl} (from the config file)`],
      stop: async () => server?.stop(),
    };
  },
  demoSandbox: (now) => ({
    data: { recordsPerEntity: 5000, start: new Date(now - 365 * 86_400_000).toISOString(), end: new Date(now - 3_600_000).toISOString() },
    pollsBeforeReady: 2,
    faults: { rate: 0.05, kinds: ['5xx', '429', 'reset'], retryAfterSeconds: 0, slowMs: 0, seed: 7 },
  }),
  demo: ({ now, today }) => [
    { title: 'campusgroups-export: the nightly incremental run, all 23 entities (5% of the sandbox\'s answers faulted)', pipeline: 'campusgroups-export', input: {}, expect: 'SUCCEEDED' },
    {
      title: 'campusgroups-export: a backfill of the last 120 days for events, rsvp and users, in 31-day windows',
      pipeline: 'campusgroups-export',
      input: { updatedStart: new Date(now - 120 * 86_400_000).toISOString().slice(0, 10), updatedEnd: today, entities: ['events', 'rsvp', 'users'] },
      expect: 'SUCCEEDED',
    },
  ],
};
