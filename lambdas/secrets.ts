import type middy from '@middy/core';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { SecretError } from './errors.js';
import { registerSecret } from './log.js';

/** Secrets are re-read after this long, so a rotated value reaches warm containers. */
const CACHE_SECONDS = 5 * 60;

/**
 * A middy middleware that reads one JSON secret through Powertools Parameters (cached per
 * container for five minutes) and puts it on the context under `contextKey`; nothing else ever
 * sees it. A secret that cannot be read fails with Etl.Secret naming it.
 */
export function secretMiddleware(contextKey: string, secretId: string): middy.MiddlewareObj {
  return {
    before: async (request) => {
      let value: unknown;
      try {
        value = await getSecret(secretId, { transform: 'json', maxAge: CACHE_SECONDS });
      } catch (error) {
        const e = error as { name?: string; message?: string; cause?: { name?: string; message?: string } };
        const reason = e.cause ?? e;
        throw new SecretError(`Secret '${secretId}' could not be read: ${reason.name ?? 'Error'}: ${reason.message ?? ''}`);
      }
      (request.context as unknown as Record<string, unknown>)[contextKey] = value;
    },
  };
}

/** A cold start locally: nothing cached from an earlier run in this process. */
export { clearCaches as clearSecretCache } from '@aws-lambda-powertools/parameters';

/**
 * Checks a secret's shape and remembers its values so that the logger scrubs them. Errors
 * name the secret and the key, never a value.
 */
export function requireSecretKeys<K extends string>(
  secretId: string,
  value: unknown,
  keys: readonly K[],
  /** Keys that identify rather than authenticate (a school code), so logs may show them. */
  publicKeys: readonly string[] = [],
): Record<K, string> {
  if (value === undefined || value === null) throw new SecretError(`Secret '${secretId}' could not be read or is empty`);
  if (typeof value !== 'object') throw new SecretError(`Secret '${secretId}' must hold a JSON object with keys ${keys.join(', ')}`);
  const record = value as Record<string, unknown>;
  // Every value but the public ones, with their pairs (a Basic credential is two of them in one).
  registerSecret(Object.fromEntries(Object.entries(record).filter(([k]) => !(publicKeys as readonly string[]).includes(k))));
  const missing = keys.filter((k) => typeof record[k] !== 'string' || (record[k] as string).length === 0);
  if (missing.length > 0) throw new SecretError(`Secret '${secretId}' is missing key(s) ${missing.join(', ')} (expected ${keys.join(', ')})`);
  return record as Record<K, string>;
}
