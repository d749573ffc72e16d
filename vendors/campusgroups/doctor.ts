import type { DoctorCheck } from '../../lambdas/connector.js';
import { CampusGroupsApi } from './api.js';

/** A one-second query proves the school code and the API secret. */
export const check: DoctorCheck = async (settings, secret, { secretId, now }) => {
  const api = new CampusGroupsApi(String(settings.baseUrl), { schoolCode: secret.schoolCode!, apiSecret: secret.apiSecret! }, secretId);
  const today = new Date(now).toISOString().slice(0, 10);
  try {
    await api.requestQuery('users', { start: `${today}T00:00:00Z`, end: `${today}T00:00:00Z` });
    return [{ connection: 'campusgroups', check: 'auth', verdict: 'ok', detail: `school '${secret.schoolCode}' and its API secret were accepted` }];
  } catch (error) {
    return [{ connection: 'campusgroups', check: 'auth', verdict: 'failure', detail: (error as Error).message }];
  }
};
