import { envNumber, loadVendorEnv } from '../../lambdas/settings.js';
import { requireSecretKeys } from '../../lambdas/secrets.js';
import type { GoContractorSettings } from './api.js';
import { settings } from './settings.js';

export interface GoContractorConfig extends GoContractorSettings {
  bucket: string;
  pageSize: number;
  maxPagesPerInvocation: number;
  warnDays: number;
  reserveMs: number;
  timeZone: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GoContractorConfig {
  const { expiryWarnDays, ...rest } = loadVendorEnv(settings, env);
  return { ...rest, warnDays: expiryWarnDays, reserveMs: envNumber('EXPORT_RESERVE_MS', 60_000) };
}

export const SECRET_CONTEXT_KEY = 'gocontractorSecret';

export function keyFrom(context: object, secretId: string): { apiKey: string; expiresOn?: string } {
  const value = (context as Record<string, unknown>)[SECRET_CONTEXT_KEY] as Record<string, unknown> | undefined;
  const { apiKey } = requireSecretKeys(secretId, value, ['apiKey'] as const, ['expiresOn']);
  const expiresOn = typeof value?.expiresOn === 'string' && value.expiresOn ? value.expiresOn : undefined;
  return { apiKey, ...(expiresOn ? { expiresOn } : {}) };
}
