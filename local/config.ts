import { readFileSync } from 'node:fs';
import { SANDBOX_SCHOOL, SANDBOX_SECRET } from '../sandboxes/campusgroups/server.js';
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

const CAMPUSGROUPS_FIELDS = ['baseUrl', 'schoolCode', 'apiSecret'];

export function defaultConnections(): LocalConnections {
  return { campusgroups: { schoolCode: SANDBOX_SCHOOL, apiSecret: SANDBOX_SECRET } };
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
    if (key !== 'campusgroups') throw new ConfigError(file, key, 'is not a known setting (known: campusgroups)');
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(file, key, 'must be an object');
    for (const [field, v] of Object.entries(value as Record<string, unknown>)) {
      const path = `campusgroups.${field}`;
      if (!CAMPUSGROUPS_FIELDS.includes(field)) throw new ConfigError(file, path, `is not a known setting (known: ${CAMPUSGROUPS_FIELDS.join(', ')})`);
      if (typeof v !== 'string' || v.length === 0) throw new ConfigError(file, path, 'must be a non-empty string');
      if (field === 'baseUrl' && !/^https?:\/\/[^\s/]+/.test(v)) throw new ConfigError(file, path, `must be an http(s) URL, got '${v}'`);
      (config.campusgroups as unknown as Record<string, string>)[field] = v;
    }
  }
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
