import type { DoctorCheck } from '../../lambdas/connector.js';
import { WatermarkApi } from './api.js';

/** A fresh token for the configured audience proves the client id, the secret and the audience. */
export const check: DoctorCheck = async (settings, secret, { secretId }) => {
  const s = settings as { tokenUrl: string; audience: string; apiBaseUrl: string };
  try {
    await new WatermarkApi({ tokenUrl: s.tokenUrl, audience: s.audience, apiBaseUrl: s.apiBaseUrl, secretId }, { clientId: secret.clientId!, clientSecret: secret.clientSecret! }).token(true);
    return [{ connection: 'watermark', check: 'auth', verdict: 'ok', detail: `a token for audience ${s.audience} was issued` }];
  } catch (error) {
    return [{ connection: 'watermark', check: 'auth', verdict: 'failure', detail: (error as Error).message }];
  }
};
