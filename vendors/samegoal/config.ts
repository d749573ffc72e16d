import { loadVendorEnv, requireEnv } from '../../lambdas/settings.js';
import { settings } from './settings.js';
import { requireSecretKeys } from '../../lambdas/secrets.js';
import type { SftpSecret } from './sftp.js';

export interface SameGoalConfig {
  bucket: string;
  secretId: string;
  sftpUrl: string;
  trustedHostKeys: string[];
  transport: 'connector' | 'direct';
  /** Set by the stack when the transport is the connector. */
  connectorId: string;
  timeZone: string;
  mode: 'epoch' | 'auto';
  massChangePercent: number;
  uploadDir: string;
  maxTransferAttempts: number;
  maxTransferChecks: number;
}

/** The Transfer connector's id, which the stack adds to the functions' environment. */
export const CONNECTOR_ID_ENV = 'SAMEGOAL_CONNECTOR_ID';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SameGoalConfig {
  const config = loadVendorEnv(settings, env);
  return { ...config, connectorId: config.transport === 'connector' ? requireEnv(CONNECTOR_ID_ENV, env) : '' };
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
