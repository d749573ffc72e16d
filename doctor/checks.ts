import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CampusGroupsApi } from '../vendors/campusgroups/api.js';
import { daysToExpiry, GoContractorApi } from '../vendors/gocontractor/api.js';
import { connectSftp } from '../vendors/samegoal/sftp.js';
import { scrub } from '../lambdas/log.js';
import { WatermarkApi } from '../vendors/watermark/api.js';

/**
 * `etl doctor`: for every configured connection, is its secret there with the keys it needs,
 * does authentication work, and is any key about to expire. One line per check; the fix to
 * try is in the words of the vendor's troubleshooting list. Never prints a secret value.
 */
export type Verdict = 'ok' | 'warning' | 'failure';

export interface CheckLine {
  connection: string;
  check: string;
  verdict: Verdict;
  detail: string;
}

export interface DoctorTargets {
  campusgroups?: { secretId: string; baseUrl: string };
  watermark?: { secretId: string; tokenUrl: string; audience: string; apiBaseUrl: string };
  samegoal?: { secretId: string; url: string; trustedHostKeys: string[]; uploadDir: string };
  gocontractor?: { secretId: string; baseUrl: string; authHeader: string; pageSizeParam: string; warnDays: number };
}

const sm = () => new SecretsManagerClient({});

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

function secretLine(connection: string, id: string, value: Record<string, unknown> | string, keys: string[], anyOf?: string[]): CheckLine {
  if (typeof value === 'string') {
    const fix = value === 'missing' ? 'create it (the stack does) and put the value in' : value === 'not JSON' ? 'its value must be a JSON object' : 'check the permission to read it';
    return { connection, check: 'secret', verdict: 'failure', detail: `secret '${id}' is ${value}: ${fix}` };
  }
  const missing = keys.filter((k) => typeof value[k] !== 'string' || !value[k]);
  if (anyOf && !anyOf.some((k) => typeof value[k] === 'string' && value[k])) missing.push(anyOf.join(' or '));
  if (missing.length > 0) return { connection, check: 'secret', verdict: 'failure', detail: `secret '${id}' lacks ${missing.join(', ')}` };
  return { connection, check: 'secret', verdict: 'ok', detail: `secret '${id}' has ${[...keys, ...(anyOf ? [anyOf.find((k) => value[k])!] : [])].join(', ')}` };
}

const failure = (connection: string, check: string, error: unknown): CheckLine => ({ connection, check, verdict: 'failure', detail: scrub((error as Error).message) });

export async function runDoctor(targets: DoctorTargets, now = Date.now()): Promise<CheckLine[]> {
  const client = sm();
  const lines: CheckLine[] = [];
  try {
    if (targets.campusgroups) {
      const t = targets.campusgroups;
      const value = await readSecret(client, t.secretId);
      const line = secretLine('campusgroups', t.secretId, value, ['schoolCode', 'apiSecret']);
      lines.push(line);
      if (line.verdict === 'ok') {
        const v = value as Record<string, string>;
        const api = new CampusGroupsApi(t.baseUrl, { schoolCode: v.schoolCode!, apiSecret: v.apiSecret! }, t.secretId);
        const today = new Date(now).toISOString().slice(0, 10);
        await api
          .requestQuery('users', { start: `${today}T00:00:00Z`, end: `${today}T00:00:00Z` })
          .then(() => lines.push({ connection: 'campusgroups', check: 'auth', verdict: 'ok', detail: `school '${v.schoolCode}' and its API secret were accepted` }))
          .catch((e: unknown) => lines.push(failure('campusgroups', 'auth', e)));
      }
    }
    if (targets.watermark) {
      const t = targets.watermark;
      const value = await readSecret(client, t.secretId);
      const line = secretLine('watermark', t.secretId, value, ['clientId', 'clientSecret']);
      lines.push(line);
      if (line.verdict === 'ok') {
        const v = value as Record<string, string>;
        await new WatermarkApi({ ...t }, { clientId: v.clientId!, clientSecret: v.clientSecret! })
          .token(true)
          .then(() => lines.push({ connection: 'watermark', check: 'auth', verdict: 'ok', detail: `a token for audience ${t.audience} was issued` }))
          .catch((e: unknown) => lines.push(failure('watermark', 'auth', e)));
      }
    }
    if (targets.samegoal) {
      const t = targets.samegoal;
      const value = await readSecret(client, t.secretId);
      const line = secretLine('samegoal', t.secretId, value, ['Username'], ['PrivateKey', 'Password']);
      lines.push(line);
      if (line.verdict === 'ok') {
        const v = value as Record<string, string>;
        try {
          const sftp = await connectSftp(t.url, { Username: v.Username!, ...(v.PrivateKey ? { PrivateKey: v.PrivateKey } : { Password: v.Password }) }, t.trustedHostKeys, t.secretId);
          lines.push({ connection: 'samegoal', check: 'auth', verdict: 'ok', detail: `logged in to ${t.url} as ${v.Username}; host key matches the pinned one` });
          try {
            // A directory without COMPLETE is never processed: made and removed at once.
            const probe = `${t.uploadDir}/.etl-doctor-${now}`;
            await sftp.mkdir(probe);
            await sftp.rmdir(probe);
            lines.push({ connection: 'samegoal', check: 'upload', verdict: 'ok', detail: `${t.uploadDir} is writable` });
          } catch (e) {
            lines.push({ connection: 'samegoal', check: 'upload', verdict: 'failure', detail: `${t.uploadDir} is not writable (${(e as Error).message}): ask SameGoal to check the account's upload directory` });
          } finally {
            await sftp.end().catch(() => undefined);
          }
        } catch (e) {
          lines.push(failure('samegoal', 'auth', e));
        }
      }
    }
    if (targets.gocontractor) {
      const t = targets.gocontractor;
      const value = await readSecret(client, t.secretId);
      const line = secretLine('gocontractor', t.secretId, value, ['apiKey']);
      lines.push(line);
      if (line.verdict === 'ok') {
        const v = value as Record<string, string>;
        try {
          const days = daysToExpiry(v.expiresOn, now);
          if (days === undefined) lines.push({ connection: 'gocontractor', check: 'expiry', verdict: 'ok', detail: 'the key has no expiry date in the secret' });
          else if (days < 0) lines.push({ connection: 'gocontractor', check: 'expiry', verdict: 'failure', detail: `the key expired on ${v.expiresOn}: create a new one in Settings › API Integrations` });
          else if (days <= t.warnDays) lines.push({ connection: 'gocontractor', check: 'expiry', verdict: 'warning', detail: `the key expires on ${v.expiresOn}, in ${days} day(s): renew it in Settings › API Integrations` });
          else lines.push({ connection: 'gocontractor', check: 'expiry', verdict: 'ok', detail: `the key expires on ${v.expiresOn}, in ${days} days` });
        } catch (e) {
          lines.push(failure('gocontractor', 'expiry', e));
        }
        await new GoContractorApi(t, v.apiKey!)
          .page('accounts', 0, 1)
          .then(() => lines.push({ connection: 'gocontractor', check: 'auth', verdict: 'ok', detail: 'one page of accounts was read with the key' }))
          .catch((e: unknown) => lines.push(failure('gocontractor', 'auth', e)));
      }
    }
  } finally {
    client.destroy();
  }
  return lines;
}

export function formatDoctor(lines: CheckLine[]): string {
  const mark = { ok: 'ok     ', warning: 'WARNING', failure: 'FAILURE' } as const;
  return lines.map((l) => `${mark[l.verdict]}  ${l.connection.padEnd(13)} ${l.check.padEnd(7)} ${l.detail}`).join('\n');
}
