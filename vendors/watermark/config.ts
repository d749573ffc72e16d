import { COMMON_ENV, requireEnv, secretIdEnv, settingsFromEnv } from '../../lambdas/settings.js';
import { requireSecretKeys } from '../../lambdas/secrets.js';
import type { ClientCredentials, WatermarkSettings } from './api.js';
import { settings } from './settings.js';

export interface WatermarkConfig extends WatermarkSettings {
  bucket: string;
  maxPollSeconds: number;
  zipLevel: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): WatermarkConfig {
  const s = settingsFromEnv(settings, env);
  return {
    bucket: requireEnv(COMMON_ENV.bucket, env),
    secretId: requireEnv(secretIdEnv(settings.prefix), env),
    tokenUrl: s.tokenUrl,
    audience: s.audience,
    apiBaseUrl: s.apiBaseUrl.replace(/\/+$/, ''),
    maxPollSeconds: s.maxPollSeconds,
    zipLevel: s.zipLevel,
  };
}

export const SECRET_CONTEXT_KEY = 'watermarkSecret';

export function credentialsFrom(context: object, secretId: string): ClientCredentials {
  return requireSecretKeys(secretId, (context as Record<string, unknown>)[SECRET_CONTEXT_KEY], ['clientId', 'clientSecret'] as const);
}
