import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { setLogSink } from '../lambdas/shared/log.js';
import type { ExportSummary } from '../lambdas/campusgroups/summary.js';
import { defaultConnections } from './config.js';
import { startLocalEnvironment } from './environment.js';
import { fmtBytes, progressPrinter, summaryTable } from './report.js';
import { ROOT, runPipeline } from './runner.js';
import { createWriteStream, mkdirSync } from 'node:fs';

const say = (line = '') => process.stdout.write(`${line}\n`);

/**
 * Every pipeline end to end against the embedded sandboxes: what `npm run demo` runs. The
 * sandbox injects a few faults (5xx, 429, connection resets) so the retries are seen working.
 */
export async function runDemo(): Promise<number> {
  const dataDir = join(ROOT, '.local', 'demo', 's3');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(join(ROOT, '.local', 'demo'), { recursive: true });
  const logFile = join(ROOT, '.local', 'demo', 'lambda-logs.jsonl');
  const logs = createWriteStream(logFile);
  setLogSink((line) => logs.write(`${line}\n`));

  const now = Date.now();
  const connections = defaultConnections();
  connections.campusgroups.sandbox = {
    data: {
      recordsPerEntity: 5000,
      start: new Date(now - 365 * 86_400_000).toISOString(),
      end: new Date(now - 3_600_000).toISOString(),
    },
    pollsBeforeReady: 2,
    faults: { rate: 0.05, kinds: ['5xx', '429', 'reset'], retryAfterSeconds: 0, slowMs: 0, seed: 7 },
  };
  const env = await startLocalEnvironment(connections, { dataDir });
  let failures = 0;
  try {
    say(`S3 (s3rver) ${env.s3Endpoint}, bucket ${env.bucket}; CampusGroups sandbox ${env.campusgroups.baseUrl} (5% of answers faulted)`);
    const runs: Array<{ title: string; input: unknown }> = [
      { title: '1. campusgroups-export: the nightly incremental run, all 23 entities', input: {} },
      {
        title: '2. campusgroups-export: a backfill of the last 120 days for events, rsvp and users, in 31-day windows',
        input: {
          updatedStart: new Date(now - 120 * 86_400_000).toISOString().slice(0, 10),
          updatedEnd: new Date(now).toISOString().slice(0, 10),
          entities: ['events', 'rsvp', 'users'],
        },
      },
    ];
    for (const run of runs) {
      say();
      say(run.title);
      say(`   input: ${JSON.stringify(run.input)}`);
      const result = await runPipeline('campusgroups-export', run.input, { onEvent: progressPrinter((l) => say(`   ${l}`)) });
      say();
      if (result.status === 'SUCCEEDED') {
        say(summaryTable(result.output as ExportSummary).replace(/^/gm, '   '));
        say(`   ${result.transitions} state transitions, ${(result.durationMs / 1000).toFixed(1)} s`);
      } else {
        failures++;
        say(`   FAILED: ${result.error}: ${result.cause}`);
      }
    }

    say();
    say('What landed where (s3://' + env.bucket + '):');
    const s3 = new S3Client({ forcePathStyle: true });
    const keys: Array<{ key: string; size: number }> = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: env.bucket, ContinuationToken: token }));
      for (const o of page.Contents ?? []) keys.push({ key: o.Key!, size: o.Size ?? 0 });
      token = page.NextContinuationToken;
    } while (token);
    const byEntity = new Map<string, { objects: number; bytes: number }>();
    for (const { key, size } of keys) {
      const group = key.split('/').slice(0, key.startsWith('state/') ? 4 : 3).join('/') + '/';
      const g = byEntity.get(group) ?? { objects: 0, bytes: 0 };
      g.objects++;
      g.bytes += size;
      byEntity.set(group, g);
    }
    for (const [group, g] of [...byEntity].sort(([a], [b]) => a.localeCompare(b)).slice(0, 40)) {
      say(`   ${group.padEnd(58)} ${String(g.objects).padStart(4)} objects ${fmtBytes(g.bytes).padStart(10)}`);
    }
    const sample = keys.find((k) => k.key.startsWith('campusgroups/') && k.key.includes('/events/') && k.key.endsWith('_manifest.json'));
    if (sample) {
      const body = await (await s3.send(new GetObjectCommand({ Bucket: env.bucket, Key: sample.key }))).Body!.transformToString();
      say();
      say(`   e.g. ${sample.key}:`);
      say(body.trim().replace(/^/gm, '     '));
    }
    say();
    say(`Files on disk: ${dataDir}/${env.bucket}   Lambda logs: ${logFile}`);
    s3.destroy();
  } finally {
    await env.stop();
    logs.end();
  }
  return failures === 0 ? 0 : 1;
}
