import { readFileSync } from 'node:fs';
import type { Connector, VendorLocal } from '../lambdas/connector.js';
import { registerSecret } from '../lambdas/redact.js';
import { z } from '../lambdas/zod.js';
import { issueText } from '../lib/config.js';
import { VENDORS } from '../vendors/index.js';

/**
 * The local config file (README "Local config file"): per vendor, any of its settings — checked
 * by the same schema as the deployment config — and the values of its secret, which the local
 * Secrets Manager serves. Every field is optional; without a file the sandboxes are used with
 * their obviously fake credentials.
 */
export class ConfigError extends Error {
  constructor(file: string, field: string, problem: string) {
    super(`${file}: ${field} ${problem}`);
    this.name = 'ConfigError';
  }
}

export type LocalConfig = Record<string, { settings: Record<string, unknown>; secret: Record<string, string> }>;

export interface LocalVendor {
  connector: Connector;
  local: VendorLocal<unknown>;
}

/** Each vendor with its local module (sandbox, demo, benchmarks), imported once. */
export async function localVendors(vendors: Connector[] = VENDORS): Promise<LocalVendor[]> {
  return Promise.all(vendors.map(async (connector) => ({ connector, local: ((await import(connector.local.href)) as { local: VendorLocal<unknown> }).local })));
}

export function emptyConfig(vendors: LocalVendor[]): LocalConfig {
  return Object.fromEntries(vendors.map((v) => [v.connector.name, { settings: {}, secret: {} }]));
}

export function parseConfig(text: string, file: string, vendors: LocalVendor[]): LocalConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, '(file)', `is not valid JSON: ${(error as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(file, '(file)', 'must hold a JSON object');
  const config = emptyConfig(vendors);
  const names = vendors.map((v) => v.connector.name);
  for (const [key, section] of Object.entries(raw)) {
    const vendor = vendors.find((v) => v.connector.name === key);
    if (!vendor) throw new ConfigError(file, key, `is not a known setting (known: ${names.join(', ')})`);
    if (!section || typeof section !== 'object' || Array.isArray(section)) throw new ConfigError(file, key, 'must be an object');
    const secretKeys = Object.keys(vendor.local.configFields);
    const settingKeys = Object.keys(vendor.connector.settings.schema.shape);
    const given = section as Record<string, unknown>;
    for (const [field, value] of Object.entries(given)) {
      if (!secretKeys.includes(field) && !settingKeys.includes(field)) {
        throw new ConfigError(file, `${key}.${field}`, `is not a known setting (known: ${[...settingKeys, ...secretKeys].join(', ')})`);
      }
      if (secretKeys.includes(field)) {
        if (typeof value !== 'string' || value.length === 0) throw new ConfigError(file, `${key}.${field}`, 'must be a non-empty string');
        config[key]!.secret[field] = value;
        // Read from the file: from now on nothing this process prints can carry it.
        if (!vendor.connector.secret.publicKeys.includes(field)) registerSecret(value);
      }
    }
    const settings = Object.fromEntries(Object.entries(given).filter(([field]) => settingKeys.includes(field)));
    // Each given setting is checked on its own by the vendor's schema (the others keep their defaults).
    const partial = z.partial(vendor.connector.settings.schema);
    const parsed = partial.safeParse(settings, { reportInput: true });
    if (!parsed.success) {
      const { field, problem } = issueText(parsed.error.issues[0]!, () => settingKeys);
      throw new ConfigError(file, `${key}.${field}`, problem);
    }
    config[key]!.settings = settings;
  }
  return config;
}

export function loadConfigFile(file: string | undefined, vendors: LocalVendor[]): LocalConfig {
  if (!file) return emptyConfig(vendors);
  let text: string;
  try {
    text = readFileSync(file, 'utf-8');
  } catch (error) {
    throw new ConfigError(file, '(file)', `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseConfig(text, file, vendors);
}
