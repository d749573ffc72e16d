import { envNumber, requireEnv } from '../../lambdas/env.js';
import { requireSecretKeys } from '../../lambdas/secrets.js';
import { DEFAULT_BASE_URL, type CampusGroupsCredentials } from './api.js';
import { BUILT_IN_DEFAULTS, type ExportDefaults } from './plan.js';

/** The CampusGroups Lambdas' configuration, from their environment: names and numbers, never a secret value. */
export interface CampusGroupsConfig {
  bucket: string;
  secretId: string;
  baseUrl: string;
  defaults: ExportDefaults;
  /** Time kept back from the Lambda's timeout to close the current part and return. */
  reserveMs: number;
}

export function loadConfig(): CampusGroupsConfig {
  return {
    bucket: requireEnv('DATA_BUCKET'),
    secretId: requireEnv('CAMPUSGROUPS_SECRET_ID'),
    baseUrl: process.env.CAMPUSGROUPS_BASE_URL || DEFAULT_BASE_URL,
    defaults: {
      lookbackHours: envNumber('CAMPUSGROUPS_LOOKBACK_HOURS', BUILT_IN_DEFAULTS.lookbackHours),
      windowDays: envNumber('CAMPUSGROUPS_WINDOW_DAYS', BUILT_IN_DEFAULTS.windowDays),
      concurrency: envNumber('CAMPUSGROUPS_CONCURRENCY', BUILT_IN_DEFAULTS.concurrency),
      pageSize: envNumber('CAMPUSGROUPS_PAGE_SIZE', BUILT_IN_DEFAULTS.pageSize),
      maxPagesPerInvocation: envNumber('CAMPUSGROUPS_MAX_PAGES_PER_INVOCATION', BUILT_IN_DEFAULTS.maxPagesPerInvocation),
      queryReadyTimeoutSeconds: envNumber('CAMPUSGROUPS_QUERY_READY_TIMEOUT_SECONDS', BUILT_IN_DEFAULTS.queryReadyTimeoutSeconds),
    },
    reserveMs: envNumber('CAMPUSGROUPS_RESERVE_MS', 60_000),
  };
}

/** The secret middleware puts the parsed secret on the context under this key. */
export const SECRET_CONTEXT_KEY = 'campusgroupsSecret';

export function credentialsFrom(context: object, secretId: string): CampusGroupsCredentials {
  const value = (context as Record<string, unknown>)[SECRET_CONTEXT_KEY];
  return requireSecretKeys(secretId, value, ['schoolCode', 'apiSecret'] as const, ['schoolCode']);
}
