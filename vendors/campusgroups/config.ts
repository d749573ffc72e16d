import { envNumber, loadVendorEnv } from '../../lambdas/settings.js';
import { requireSecretKeys } from '../../lambdas/secrets.js';
import type { CampusGroupsCredentials } from './api.js';
import type { ExportDefaults } from './plan.js';
import { settings } from './settings.js';

/** The CampusGroups Lambdas' configuration, from their environment: names and numbers, never a secret value. */
export interface CampusGroupsConfig {
  bucket: string;
  secretId: string;
  baseUrl: string;
  defaults: ExportDefaults;
  /** Time kept back from the Lambda's timeout to close the current part and return. */
  reserveMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): CampusGroupsConfig {
  const { bucket, secretId, baseUrl, lookbackHours, windowDays, concurrency, pageSize, maxPagesPerInvocation, queryReadyTimeoutSeconds } = loadVendorEnv(settings, env);
  const defaults = { lookbackHours, windowDays, concurrency, pageSize, maxPagesPerInvocation, queryReadyTimeoutSeconds };
  return { bucket, secretId, baseUrl, defaults, reserveMs: envNumber('EXPORT_RESERVE_MS', 60_000) };
}

/** The secret middleware puts the parsed secret on the context under this key. */
export const SECRET_CONTEXT_KEY = 'campusgroupsSecret';

export function credentialsFrom(context: object, secretId: string): CampusGroupsCredentials {
  const value = (context as Record<string, unknown>)[SECRET_CONTEXT_KEY];
  return requireSecretKeys(secretId, value, ['schoolCode', 'apiSecret'] as const, ['schoolCode']);
}
