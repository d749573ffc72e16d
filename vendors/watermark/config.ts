import { loadVendorEnv } from '../../lambdas/settings.js';
import { requireSecretKeys } from '../../lambdas/secrets.js';
import type { ClientCredentials, WatermarkSettings } from './api.js';
import { settings } from './settings.js';

export interface WatermarkConfig extends WatermarkSettings {
  bucket: string;
  maxPollSeconds: number;
  zipLevel: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): WatermarkConfig {
  const { bucket, secretId, tokenUrl, audience, apiBaseUrl, maxPollSeconds, zipLevel } = loadVendorEnv(settings, env);
  return { bucket, secretId, tokenUrl, audience, apiBaseUrl: apiBaseUrl.replace(/\/+$/, ''), maxPollSeconds, zipLevel };
}

export const SECRET_CONTEXT_KEY = 'watermarkSecret';

export function credentialsFrom(context: object, secretId: string): ClientCredentials {
  return requireSecretKeys(secretId, (context as Record<string, unknown>)[SECRET_CONTEXT_KEY], ['clientId', 'clientSecret'] as const);
}
