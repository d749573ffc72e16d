import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CheckLine, Connector } from '../lambdas/connector.js';
import { registerSecret, scrub } from '../lambdas/log.js';
import { MIN_SECRET_LENGTH } from '../lambdas/redact.js';
import { secretIdEnv, settingsFromEnv } from '../lambdas/settings.js';
import { traced } from '../lambdas/tracing.js';
import { VENDORS } from '../vendors/index.js';

/**
 * `etl doctor`: for every configured connection, is its secret there with the keys it needs,
 * does authentication work, and is any key about to expire. One line per check; the fix to
 * try is in the words of the vendor's troubleshooting list. Never prints a secret value.
 */
export type { CheckLine, Verdict } from '../lambdas/connector.js';

export interface DoctorTarget {
  vendor: Connector;
  secretId: string;
  /** The vendor's runtime settings (endpoints, header names, warning days…). */
  settings: Record<string, unknown>;
}

/** The connections a deployment's functions (or the local runtime) are configured for, from the environment. */
export function targetsFromEnv(names: string[] | undefined, env: NodeJS.ProcessEnv = process.env, vendors: Connector[] = VENDORS): DoctorTarget[] {
  return vendors
    .filter((v) => !names || names.includes(v.name))
    .filter((v) => env[secretIdEnv(v.settings.prefix)])
    .map((vendor) => ({ vendor, secretId: env[secretIdEnv(vendor.settings.prefix)]!, settings: settingsFromEnv(vendor.settings, env) }));
}

async function readSecret(client: SecretsManagerClient, id: string): Promise<Record<string, unknown> | string> {
  try {
    const res = await client.send(new GetSecretValueCommand({ SecretId: id }));
    try {
      return JSON.parse(res.SecretString ?? '') as Record<string, unknown>;
    } catch {
      return 'not JSON';
    }
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    return name === 'ResourceNotFoundException' ? 'missing' : `unreadable (${name})`;
  }
}

/** The doctor's verdict on a secret's value: its keys and shapes, never the values. */
export function secretLine(vendor: Connector, id: string, value: Record<string, unknown> | string): CheckLine {
  const connection = vendor.name;
  if (typeof value === 'string') {
    const fix = value === 'missing' ? 'create it (the stack does) and put the value in' : value === 'not JSON' ? 'its value must be a JSON object' : 'check the permission to read it';
    return { connection, check: 'secret', verdict: 'failure', detail: `secret '${id}' is ${value}: ${fix}` };
  }
  const parsed = vendor.secret.shape.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const key = i.path.map(String).join('.');
      return value[key] === undefined || value[key] === '' ? `lacks ${i.message.startsWith('needs') ? i.message.replace(/^needs /, '') : key}` : `${key} ${i.message.replace(/^Invalid input: /, '')}`;
    });
    return { connection, check: 'secret', verdict: 'failure', detail: `secret '${id}' ${problems.join(', ')}` };
  }
  const weak = Object.keys(value).filter((k) => !vendor.secret.publicKeys.includes(k) && typeof value[k] === 'string' && (value[k] as string).length > 0 && (value[k] as string).length < MIN_SECRET_LENGTH);
  if (weak.length > 0) {
    return { connection, check: 'secret', verdict: 'failure', detail: `secret '${id}' has ${weak.join(', ')} shorter than ${MIN_SECRET_LENGTH} characters: too weak to be a real credential (and too short to scrub from output); put the full value in` };
  }
  const keys = Object.keys(value).filter((k) => typeof value[k] === 'string' && value[k]);
  return { connection, check: 'secret', verdict: 'ok', detail: `secret '${id}' has ${keys.join(', ')}` };
}

export async function runDoctor(targets: DoctorTarget[], options: { now?: number; timeZone?: string } = {}): Promise<CheckLine[]> {
  const now = options.now ?? Date.now();
  const client = traced(new SecretsManagerClient({}));
  const lines: CheckLine[] = [];
  try {
    for (const t of targets) {
      const value = await readSecret(client, t.secretId);
      if (typeof value === 'object') for (const [k, v] of Object.entries(value)) if (!t.vendor.secret.publicKeys.includes(k)) registerSecret(v);
      const line = secretLine(t.vendor, t.secretId, value);
      lines.push(line);
      if (line.verdict !== 'ok') continue;
      try {
        lines.push(...(await t.vendor.doctor(t.settings, value as Record<string, string>, { secretId: t.secretId, now, timeZone: options.timeZone ?? 'UTC' })));
      } catch (error) {
        lines.push({ connection: t.vendor.name, check: 'auth', verdict: 'failure', detail: (error as Error).message });
      }
    }
  } finally {
    client.destroy();
  }
  return lines.map((l) => ({ ...l, detail: scrub(l.detail) }));
}

export function formatDoctor(lines: CheckLine[]): string {
  const mark = { ok: 'ok     ', warning: 'WARNING', failure: 'FAILURE' } as const;
  return lines.map((l) => `${mark[l.verdict]}  ${l.connection.padEnd(13)} ${l.check.padEnd(7)} ${l.detail}`).join('\n');
}
