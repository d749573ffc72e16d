import type { CheckLine, DoctorCheck } from '../../lambdas/connector.js';
import { daysToExpiry, GOCONTRACTOR_ENTITIES, GoContractorApi, inDays, type GoContractorEntity } from './api.js';

/**
 * The key's expiry date (GoContractor's keys can expire; a secret without the date gets a
 * warning saying how to add it), and one page of each entity the export reads, since a key
 * can be refused on one and not the other.
 */
export const check: DoctorCheck = async (settings, secret, { secretId, now, timeZone }) => {
  const s = settings as { baseUrl: string; authHeader: string; pageSizeParam: string; expiryWarnDays: number };
  const lines: CheckLine[] = [];
  const line = (check: string, verdict: CheckLine['verdict'], detail: string) => lines.push({ connection: 'gocontractor', check, verdict, detail });
  try {
    const days = daysToExpiry(secret.expiresOn, now, timeZone);
    if (days === undefined) {
      line('expiry', 'warning', `the secret has no expiresOn, so nothing warns before the key stops working: add "expiresOn": "YYYY-MM-DD" (the date shown in Settings › API Integrations) to secret '${secretId}'`);
    } else if (days < 0) line('expiry', 'failure', `the key expired on ${secret.expiresOn}: create a new one in Settings › API Integrations`);
    else if (days <= s.expiryWarnDays) line('expiry', 'warning', `the key expires on ${secret.expiresOn}, ${inDays(days)}: renew it in Settings › API Integrations`);
    else line('expiry', 'ok', `the key expires on ${secret.expiresOn}, ${inDays(days)} (${timeZone})`);
  } catch (error) {
    line('expiry', 'failure', (error as Error).message);
  }
  const api = new GoContractorApi({ baseUrl: s.baseUrl, authHeader: s.authHeader, pageSizeParam: s.pageSizeParam, secretId }, secret.apiKey!);
  for (const entity of Object.keys(GOCONTRACTOR_ENTITIES) as GoContractorEntity[]) {
    try {
      await api.page(entity, 0, 1);
      line(`auth ${GOCONTRACTOR_ENTITIES[entity]}`, 'ok', `one page of ${entity} was read with the key`);
    } catch (error) {
      line(`auth ${GOCONTRACTOR_ENTITIES[entity]}`, 'failure', (error as Error).message);
    }
  }
  return lines;
};
