import { envNumber, requireEnv } from '../lambdas/env.js';
import { createLogger } from '../lambdas/log.js';
import { emitMetrics } from '../lambdas/metrics.js';
import { runDoctor, type DoctorTargets } from './checks.js';

const log = createLogger({ task: 'CheckConnections' });
const enabled = (requireEnv('DOCTOR_CONNECTIONS')).split(',').filter(Boolean);
const e = process.env;

/** The deployment's connections, from the same settings the pipelines' Lambdas get. */
const targets: DoctorTargets = {
  ...(enabled.includes('campusgroups') ? { campusgroups: { secretId: requireEnv('CAMPUSGROUPS_SECRET_ID'), baseUrl: requireEnv('CAMPUSGROUPS_BASE_URL') } } : {}),
  ...(enabled.includes('watermark')
    ? { watermark: { secretId: requireEnv('WATERMARK_SECRET_ID'), tokenUrl: requireEnv('WATERMARK_TOKEN_URL'), audience: requireEnv('WATERMARK_AUDIENCE'), apiBaseUrl: requireEnv('WATERMARK_API_BASE_URL') } }
    : {}),
  ...(enabled.includes('samegoal')
    ? { samegoal: { secretId: requireEnv('SAMEGOAL_SECRET_ID'), url: requireEnv('SAMEGOAL_SFTP_URL'), trustedHostKeys: requireEnv('SAMEGOAL_TRUSTED_HOST_KEYS').split('\n'), uploadDir: e.SAMEGOAL_UPLOAD_DIR || '/upload' } }
    : {}),
  ...(enabled.includes('gocontractor')
    ? {
        gocontractor: {
          secretId: requireEnv('GOCONTRACTOR_SECRET_ID'),
          baseUrl: requireEnv('GOCONTRACTOR_BASE_URL'),
          authHeader: e.GOCONTRACTOR_AUTH_HEADER || 'X-Api-Key',
          pageSizeParam: e.GOCONTRACTOR_PAGE_SIZE_PARAM || 'PageSize',
          warnDays: envNumber('GOCONTRACTOR_EXPIRY_WARN_DAYS', 14),
        },
      }
    : {}),
};

/**
 * The daily `etl doctor` in AWS: one metric pair per connection (Healthy 1/0, Warning 1/0),
 * which the stack's alarms send to the alarm topic days before a nightly run would break.
 */
export const handler = async (): Promise<{ failures: number; warnings: number }> => {
  const lines = await runDoctor(targets);
  for (const connection of enabled) {
    const mine = lines.filter((l) => l.connection === connection);
    const healthy = mine.length > 0 && mine.every((l) => l.verdict !== 'failure') ? 1 : 0;
    const warning = mine.some((l) => l.verdict === 'warning') ? 1 : 0;
    emitMetrics({ Connection: connection }, { ConnectionHealthy: healthy, ConnectionWarning: warning });
  }
  for (const l of lines) (l.verdict === 'ok' ? log.info : log.warn)(`${l.connection} ${l.check}: ${l.detail}`, { verdict: l.verdict });
  return { failures: lines.filter((l) => l.verdict === 'failure').length, warnings: lines.filter((l) => l.verdict === 'warning').length };
};
