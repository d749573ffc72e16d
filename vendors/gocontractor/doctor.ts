import type { CheckLine, DoctorCheck } from '../../lambdas/connector.js';
import { daysToExpiry, GoContractorApi } from './api.js';

/** The key's expiry date (when the secret has one), and one page of accounts read with it. */
export const check: DoctorCheck = async (settings, secret, { secretId, now }) => {
  const s = settings as { baseUrl: string; authHeader: string; pageSizeParam: string; expiryWarnDays: number };
  const lines: CheckLine[] = [];
  const line = (check: string, verdict: CheckLine['verdict'], detail: string) => lines.push({ connection: 'gocontractor', check, verdict, detail });
  try {
    const days = daysToExpiry(secret.expiresOn, now);
    if (days === undefined) line('expiry', 'ok', 'the key has no expiry date in the secret');
    else if (days < 0) line('expiry', 'failure', `the key expired on ${secret.expiresOn}: create a new one in Settings › API Integrations`);
    else if (days <= s.expiryWarnDays) line('expiry', 'warning', `the key expires on ${secret.expiresOn}, in ${days} day(s): renew it in Settings › API Integrations`);
    else line('expiry', 'ok', `the key expires on ${secret.expiresOn}, in ${days} days`);
  } catch (error) {
    line('expiry', 'failure', (error as Error).message);
  }
  try {
    await new GoContractorApi({ baseUrl: s.baseUrl, authHeader: s.authHeader, pageSizeParam: s.pageSizeParam, secretId }, secret.apiKey!).page('accounts', 0, 1);
    line('auth', 'ok', 'one page of accounts was read with the key');
  } catch (error) {
    line('auth', 'failure', (error as Error).message);
  }
  return lines;
};
