import { envNumber, requireEnv } from '../../lambdas/env.js';
import { requireSecretKeys } from '../../lambdas/secrets.js';
import { DEFAULTS, type ClientCredentials, type WatermarkSettings } from './api.js';

export interface WatermarkConfig extends WatermarkSettings {
  bucket: string;
  maxPollSeconds: number;
  zipLevel: number;
}

export function loadConfig(): WatermarkConfig {
  return {
    bucket: requireEnv('DATA_BUCKET'),
    secretId: requireEnv('WATERMARK_SECRET_ID'),
    tokenUrl: process.env.WATERMARK_TOKEN_URL || DEFAULTS.tokenUrl,
    audience: process.env.WATERMARK_AUDIENCE || DEFAULTS.audience,
    apiBaseUrl: (process.env.WATERMARK_API_BASE_URL || DEFAULTS.apiBaseUrl).replace(/\/+$/, ''),
    maxPollSeconds: envNumber('WATERMARK_MAX_POLL_SECONDS', 6 * 3600),
    zipLevel: envNumber('WATERMARK_ZIP_LEVEL', 6),
  };
}

export const SECRET_CONTEXT_KEY = 'watermarkSecret';

export function credentialsFrom(context: object, secretId: string): ClientCredentials {
  return requireSecretKeys(secretId, (context as Record<string, unknown>)[SECRET_CONTEXT_KEY], ['clientId', 'clientSecret'] as const);
}
