import { readFileSync } from 'node:fs';
import { SANDBOX_SCHOOL, SANDBOX_SECRET } from '../vendors/campusgroups/sandbox/server.js';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../vendors/watermark/sandbox/server.js';
import type { LocalConnections } from './environment.js';

/**
 * The local config file (see README "Local config file"). Every field is optional; without a
 * file the embedded sandboxes are used with their obviously fake credentials.
 */
export class ConfigError extends Error {
  constructor(file: string, field: string, problem: string) {
    super(`${file}: ${field} ${problem}`);
    this.name = 'ConfigError';
  }
}

const FIELDS: Record<string, { fields: string[]; urls: string[] }> = {
  campusgroups: { fields: ['baseUrl', 'schoolCode', 'apiSecret'], urls: ['baseUrl'] },
  watermark: { fields: ['apiBaseUrl', 'tokenUrl', 'audience', 'clientId', 'clientSecret'], urls: ['apiBaseUrl', 'tokenUrl'] },
};

export function defaultConnections(): LocalConnections {
  return {
    campusgroups: { schoolCode: SANDBOX_SCHOOL, apiSecret: SANDBOX_SECRET },
    watermark: { clientId: SANDBOX_CLIENT_ID, clientSecret: SANDBOX_CLIENT_SECRET },
  };
}

export function parseConfig(text: string, file: string): LocalConnections {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, '(file)', `is not valid JSON: ${(error as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(file, '(file)', 'must hold a JSON object');
  const config = defaultConnections();
  for (const [key, value] of Object.entries(raw)) {
    const spec = FIELDS[key];
    if (!spec) throw new ConfigError(file, key, `is not a known setting (known: ${Object.keys(FIELDS).join(', ')})`);
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(file, key, 'must be an object');
    for (const [field, v] of Object.entries(value as Record<string, unknown>)) {
      const path = `${key}.${field}`;
      if (!spec.fields.includes(field)) throw new ConfigError(file, path, `is not a known setting (known: ${spec.fields.join(', ')})`);
      if (typeof v !== 'string' || v.length === 0) throw new ConfigError(file, path, 'must be a non-empty string');
      if (spec.urls.includes(field) && !/^https?:\/\/[^\s/]+/.test(v)) throw new ConfigError(file, path, `must be an http(s) URL, got '${v}'`);
      (config[key as keyof LocalConnections] as unknown as Record<string, string>)[field] = v;
    }
  }
  if (config.watermark.apiBaseUrl && !config.watermark.tokenUrl) throw new ConfigError(file, 'watermark.tokenUrl', 'is needed when watermark.apiBaseUrl is set');
  return config;
}

export function loadConfigFile(file: string | undefined): LocalConnections {
  if (!file) return defaultConnections();
  let text: string;
  try {
    text = readFileSync(file, 'utf-8');
  } catch (error) {
    throw new ConfigError(file, '(file)', `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseConfig(text, file);
}
