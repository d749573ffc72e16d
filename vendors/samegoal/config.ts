import { envNumber, requireEnv } from '../../lambdas/env.js';
import { requireSecretKeys } from '../../lambdas/secrets.js';
import type { SftpSecret } from './sftp.js';

export interface SameGoalConfig {
  bucket: string;
  secretId: string;
  sftpUrl: string;
  trustedHostKeys: string[];
  transport: 'connector' | 'direct';
  connectorId: string;
  timeZone: string;
  mode: 'epoch' | 'auto';
  massChangePercent: number;
  uploadDir: string;
  maxTransferAttempts: number;
}

export function loadConfig(): SameGoalConfig {
  const transport = process.env.SAMEGOAL_TRANSPORT || 'connector';
  if (transport !== 'connector' && transport !== 'direct') throw new Error(`SAMEGOAL_TRANSPORT must be connector or direct, got '${transport}'`);
  const mode = process.env.SAMEGOAL_MODE || 'epoch';
  if (mode !== 'epoch' && mode !== 'auto') throw new Error(`SAMEGOAL_MODE must be epoch or auto, got '${mode}'`);
  return {
    bucket: requireEnv('DATA_BUCKET'),
    secretId: requireEnv('SAMEGOAL_SECRET_ID'),
    sftpUrl: requireEnv('SAMEGOAL_SFTP_URL'),
    // One trusted host key per line, as the connector's TrustedHostKeys take them.
    trustedHostKeys: requireEnv('SAMEGOAL_TRUSTED_HOST_KEYS').split('\n').map((l) => l.trim()).filter(Boolean),
    transport,
    connectorId: transport === 'connector' ? requireEnv('SAMEGOAL_CONNECTOR_ID') : '',
    timeZone: requireEnv('SAMEGOAL_TIME_ZONE'),
    mode,
    massChangePercent: envNumber('SAMEGOAL_MASS_CHANGE_PERCENT', 10),
    uploadDir: process.env.SAMEGOAL_UPLOAD_DIR || '/upload',
    maxTransferAttempts: envNumber('SAMEGOAL_MAX_TRANSFER_ATTEMPTS', 3),
  };
}

export const SECRET_CONTEXT_KEY = 'samegoalSecret';

export function sftpSecretFrom(context: object, secretId: string): SftpSecret {
  const value = (context as Record<string, unknown>)[SECRET_CONTEXT_KEY] as Record<string, unknown> | undefined;
  const base = requireSecretKeys(secretId, value, ['Username'] as const, ['Username']);
  const out: SftpSecret = { Username: base.Username };
  if (typeof value?.PrivateKey === 'string' && value.PrivateKey) out.PrivateKey = value.PrivateKey;
  else if (typeof value?.Password === 'string' && value.Password) out.Password = value.Password;
  else requireSecretKeys(secretId, value, ['PrivateKey'] as const);
  return out;
}

/** The run's real local time in the district's zone, as SameGoal names epoch directories: YYYYMMDD-HHMMSS. */
export function epochName(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}${parts.month}${parts.day}-${parts.hour}${parts.minute}${parts.second}`;
}
