import middySecretsManager from '@middy/secrets-manager';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretError } from './errors.js';
import { registerSecret } from './log.js';

/** Secrets are re-read after this long, so a rotated value reaches warm containers. */
const CACHE_MS = 5 * 60 * 1000;

/**
 * middy's secrets-manager middleware for one JSON secret, cached per secret id. The value is
 * put on the context under `contextKey`; nothing else ever sees it.
 */
export function secretMiddleware(contextKey: string, secretId: string) {
  return middySecretsManager({
    AwsClient: SecretsManagerClient,
    fetchData: { [contextKey]: secretId },
    setToContext: true,
    cacheKey: `secrets-manager:${secretId}`,
    cacheExpiry: CACHE_MS,
  });
}

/**
 * Checks a secret's shape and remembers its values so that the logger scrubs them. Errors
 * name the secret and the key, never a value.
 */
export function requireSecretKeys<K extends string>(
  secretId: string,
  value: unknown,
  keys: readonly K[],
  /** Keys that identify rather than authenticate (a school code), so logs may show them. */
  publicKeys: readonly K[] = [],
): Record<K, string> {
  if (value === undefined || value === null) throw new SecretError(`Secret '${secretId}' could not be read or is empty`);
  if (typeof value !== 'object') throw new SecretError(`Secret '${secretId}' must hold a JSON object with keys ${keys.join(', ')}`);
  const record = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(record)) if (!(publicKeys as readonly string[]).includes(k)) registerSecret(v);
  const missing = keys.filter((k) => typeof record[k] !== 'string' || (record[k] as string).length === 0);
  if (missing.length > 0) throw new SecretError(`Secret '${secretId}' is missing key(s) ${missing.join(', ')} (expected ${keys.join(', ')})`);
  return record as Record<K, string>;
}
