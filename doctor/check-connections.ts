import middy from '@middy/core';
import { edge } from '../lambdas/edge.js';
import { createLogger } from '../lambdas/log.js';
import { emitMetrics } from '../lambdas/metrics.js';
import { COMMON_ENV, requireEnv } from '../lambdas/settings.js';
import { runDoctor, targetsFromEnv } from './checks.js';

const log = createLogger({ task: 'CheckConnections' });
const enabled = requireEnv('DOCTOR_CONNECTIONS').split(',').filter(Boolean);
/** The deployment's connections, from the same variables the pipelines' Lambdas get. */
const targets = targetsFromEnv(enabled);

/**
 * The daily `etl doctor` in AWS: one metric pair per connection (Healthy 1/0, Warning 1/0),
 * which the stack's alarms send to the alarm topic days before a nightly run would break.
 */
export const handler = middy(async (): Promise<{ failures: number; warnings: number }> => {
  const lines = await runDoctor(targets, { timeZone: process.env[COMMON_ENV.timeZone] });
  for (const connection of enabled) {
    const mine = lines.filter((l) => l.connection === connection);
    const healthy = mine.length > 0 && mine.every((l) => l.verdict !== 'failure') ? 1 : 0;
    const warning = mine.some((l) => l.verdict === 'warning') ? 1 : 0;
    emitMetrics({ Connection: connection }, { ConnectionHealthy: healthy, ConnectionWarning: warning });
  }
  for (const l of lines) (l.verdict === 'ok' ? log.info : log.warn)(`${l.connection} ${l.check}: ${l.detail}`, { verdict: l.verdict });
  return { failures: lines.filter((l) => l.verdict === 'failure').length, warnings: lines.filter((l) => l.verdict === 'warning').length };
}).use(edge('CheckConnections'));
