import { envNumber, requireEnv } from '../../lambdas/env.js';
import { requireSecretKeys } from '../../lambdas/secrets.js';
import type { GoContractorSettings } from './api.js';

export interface GoContractorConfig extends GoContractorSettings {
  bucket: string;
  pageSize: number;
  maxPagesPerInvocation: number;
  warnDays: number;
  reserveMs: number;
}

export function loadConfig(): GoContractorConfig {
  return {
    bucket: requireEnv('DATA_BUCKET'),
    secretId: requireEnv('GOCONTRACTOR_SECRET_ID'),
    baseUrl: process.env.GOCONTRACTOR_BASE_URL || 'https://integrations.gocontractor.com',
    // Not officially documented: configuration, so a district can set what GoContractor tells it.
    authHeader: process.env.GOCONTRACTOR_AUTH_HEADER || 'X-Api-Key',
    pageSizeParam: process.env.GOCONTRACTOR_PAGE_SIZE_PARAM || 'PageSize',
    pageSize: envNumber('GOCONTRACTOR_PAGE_SIZE', 100),
    maxPagesPerInvocation: envNumber('GOCONTRACTOR_MAX_PAGES_PER_INVOCATION', 500),
    warnDays: envNumber('GOCONTRACTOR_EXPIRY_WARN_DAYS', 14),
    reserveMs: envNumber('GOCONTRACTOR_RESERVE_MS', 60_000),
  };
}

export const SECRET_CONTEXT_KEY = 'gocontractorSecret';

export function keyFrom(context: object, secretId: string): { apiKey: string; expiresOn?: string } {
  const value = (context as Record<string, unknown>)[SECRET_CONTEXT_KEY] as Record<string, unknown> | undefined;
  const { apiKey } = requireSecretKeys(secretId, value, ['apiKey'] as const);
  const expiresOn = typeof value?.expiresOn === 'string' && value.expiresOn ? value.expiresOn : undefined;
  return { apiKey, ...(expiresOn ? { expiresOn } : {}) };
}
