import type { VendorLocal } from '../../lambdas/connector.js';
import { COMMON_ENV, settingsToEnv } from '../../lambdas/settings.js';
import { dateIn } from '../../lambdas/format.js';
import { GC_SANDBOX_KEY, GoContractorSandbox, type GoContractorSandboxOptions } from './sandbox/server.js';
import { settings } from './settings.js';

export interface GoContractorHandle {
  baseUrl: string;
  sandbox?: GoContractorSandbox;
}

/** Locally: the sandbox (workers and accounts, 50 a page), unless the local config names a server. */
export const local: VendorLocal<GoContractorHandle> = {
  configFields: {
    apiKey: "put in the local GoContractor secret (default: the sandbox's fake one)",
    expiresOn: "the key's expiry date, YYYY-MM-DD, in the local secret (optional)",
  },
  async start({ config, port, sandbox }) {
    // The sandbox's fake key expires a year from today, as a real key has a date; a key of the config file has the date given, if any.
    const expiresOn = config.secret.expiresOn ?? (config.secret.apiKey ? undefined : new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10));
    const secret: Record<string, string> = { apiKey: config.secret.apiKey ?? GC_SANDBOX_KEY, ...(expiresOn ? { expiresOn } : {}) };
    let baseUrl = config.settings.baseUrl as string | undefined;
    let server: GoContractorSandbox | undefined;
    const authHeader = (config.settings.authHeader as string | undefined) ?? 'X-Api-Key';
    if (!baseUrl) {
      server = new GoContractorSandbox({ apiKey: secret.apiKey, authHeader: authHeader.toLowerCase(), port, ...(sandbox as Partial<GoContractorSandboxOptions>) });
      baseUrl = await server.start();
    }
    const effective = settings.schema.parse({ pageSize: 50, ...config.settings, baseUrl });
    return {
      env: settingsToEnv(settings, effective),
      secret,
      handle: { baseUrl, sandbox: server },
      describe: server
        ? [`GoContractor sandbox: ${baseUrl}`, `  try: curl -s -H '${authHeader}: ${secret.apiKey === GC_SANDBOX_KEY ? GC_SANDBOX_KEY : '<apiKey from the config file>'}' '${baseUrl}/api/v1/integration/Worker?PageNumber=0&PageSize=5'`]
        : [`GoContractor: ${baseUrl} (from the config file)`],
      stop: async () => server?.stop(),
    };
  },
  demo: ({ now, setSecret }) => [
    {
      title: 'gocontractor-export: workers and accounts, with a key that expires in 5 days',
      pipeline: 'gocontractor-export',
      input: {},
      expect: 'SUCCEEDED',
      // Five calendar days from today in the district's zone, as the key's expiry is counted.
      before: async () => {
        const today = dateIn(now, process.env[COMMON_ENV.timeZone] ?? 'UTC');
        setSecret({ apiKey: GC_SANDBOX_KEY, expiresOn: new Date(Date.parse(`${today}T12:00:00Z`) + 5 * 86_400_000).toISOString().slice(0, 10) });
      },
    },
  ],
};
