import { createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { setLogSink } from '../lambdas/log.js';
import { sampleBatch } from '../vendors/watermark/sandbox/sample-batch.js';
import { sampleDelivery } from '../vendors/samegoal/sandbox/sample-batch.js';
import { defaultConnections } from './config.js';
import { startLocalEnvironment } from './environment.js';
import { fmtBytes, REPORTS } from './report.js';
import { ROOT, runPipeline } from './runner.js';

const say = (line = '') => process.stdout.write(`${line}\n`);

function listTree(dir: string, prefix = '/upload'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listTree(join(dir, e.name), `${prefix}/${e.name}`) : [`${prefix}/${e.name}`],
  );
}

interface Step {
  title: string;
  pipeline: string;
  input: unknown;
  /** A step that shows a refusal is expected to end failed. */
  expect: 'SUCCEEDED' | 'FAILED';
  before?: () => Promise<void>;
}

/**
 * Every pipeline end to end against the embedded sandboxes: what `npm run demo` runs. The
 * CampusGroups sandbox faults 5% of its answers (5xx, 429, resets) so the retries are seen working.
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
    data: { recordsPerEntity: 5000, start: new Date(now - 365 * 86_400_000).toISOString(), end: new Date(now - 3_600_000).toISOString() },
    pollsBeforeReady: 2,
    faults: { rate: 0.05, kinds: ['5xx', '429', 'reset'], retryAfterSeconds: 0, slowMs: 0, seed: 7 },
  };
  connections.watermark.sandbox = { pollsBeforeDone: 3 };
  const env = await startLocalEnvironment(connections, { dataDir });
  const s3 = new S3Client({ forcePathStyle: true });
  const putBatch = async (batch: string, files: Record<string, string>, vendor = 'watermark') => {
    for (const [name, body] of Object.entries({ ...files, _READY: '' })) {
      await s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: `${vendor}/outbox/${batch}/${name}`, Body: body, ...(body.length === 0 ? { ContentLength: 0 } : {}) }));
    }
  };
  const students = sampleDelivery(1500);
  const today = new Date(now).toISOString().slice(0, 10);
  const good = sampleBatch(2000);

  let unexpected = 0;
  try {
    say(`S3 (s3rver) ${env.s3Endpoint}, bucket ${env.bucket}`);
    say(`CampusGroups sandbox ${env.campusgroups.baseUrl} (5% of answers faulted); Watermark sandbox ${env.watermark.apiBaseUrl}`);
    const steps: Step[] = [
      { title: 'campusgroups-export: the nightly incremental run, all 23 entities', pipeline: 'campusgroups-export', input: {}, expect: 'SUCCEEDED' },
      {
        title: 'campusgroups-export: a backfill of the last 120 days for events, rsvp and users, in 31-day windows',
        pipeline: 'campusgroups-export',
        input: { updatedStart: new Date(now - 120 * 86_400_000).toISOString().slice(0, 10), updatedEnd: today, entities: ['events', 'rsvp', 'users'] },
        expect: 'SUCCEEDED',
      },
      {
        title: `watermark-import: tonight's SIS extract (8 CSVs, 2,000 people) dropped in watermark/outbox/${today}/`,
        pipeline: 'watermark-import',
        input: { batch: today },
        expect: 'SUCCEEDED',
        before: () => putBatch(today, good),
      },
      { title: 'watermark-import: the same batch again (a duplicate trigger): nothing is sent twice', pipeline: 'watermark-import', input: { batch: today }, expect: 'SUCCEEDED' },
      {
        title: 'watermark-import: a batch with a misspelled column and a broken quote, refused before anything is sent',
        pipeline: 'watermark-import',
        input: { batch: `${today}-broken` },
        expect: 'FAILED',
        before: () =>
          putBatch(`${today}-broken`, {
            'person.csv': good['person.csv']!.replace('first_name', 'firstname'),
            'courses.csv': good['courses.csv']!.replace('BIO101', 'BIO"101'),
            'roles.csv': good['roles.csv']!,
          }),
      },
      {
        title: `samegoal-delivery: tonight's demographics (students.csv, guardians.csv) into a new epoch directory, COMPLETE last`,
        pipeline: 'samegoal-delivery',
        input: { batch: today },
        expect: 'SUCCEEDED',
        before: () => putBatch(today, students, 'samegoal'),
      },
      {
        title: 'samegoal-delivery: a batch that lost 40% of its guardians, stopped before anything is sent',
        pipeline: 'samegoal-delivery',
        input: { batch: `${today}-short` },
        expect: 'FAILED',
        before: () =>
          putBatch(`${today}-short`, {
            'students.csv': students['students.csv']!,
            'guardians.csv': `${students['guardians.csv']!.split('\r\n').slice(0, 901).join('\r\n')}\r\n`,
          }, 'samegoal'),
      },
      {
        title: 'gocontractor-export: workers and accounts, with a key that expires in 5 days',
        pipeline: 'gocontractor-export',
        input: {},
        expect: 'SUCCEEDED',
        before: async () => {
          const { GOCONTRACTOR_SECRET_ID } = await import('./environment.js');
          const { GC_SANDBOX_KEY } = await import('../vendors/gocontractor/sandbox/server.js');
          env.secrets.set(GOCONTRACTOR_SECRET_ID, { apiKey: GC_SANDBOX_KEY, expiresOn: new Date(now + 5 * 86_400_000).toISOString().slice(0, 10) });
        },
      },
    ];
    for (const [i, step] of steps.entries()) {
      say();
      say(`${i + 1}. ${step.title}`);
      say(`   input: ${JSON.stringify(step.input)}`);
      await step.before?.();
      const report = REPORTS[step.pipeline]!;
      const result = await runPipeline(step.pipeline, step.input, { onEvent: report.progress((l) => say(`   ${l}`)) });
      say();
      if (result.status === 'SUCCEEDED') say(report.summary(result.output).replace(/^/gm, '   '));
      else say(`   FAILED (${result.error}):\n${(result.cause ?? '').replace(/^/gm, '     ')}`);
      say(`   ${result.status} as expected: ${result.status === step.expect ? 'yes' : 'NO'}; ${result.transitions} state transitions, ${(result.durationMs / 1000).toFixed(1)} s`);
      if (result.status !== step.expect) unexpected++;
    }
    say();
    say(`Watermark received ${env.watermark.sandbox!.imports.length} import(s): ${env.watermark.sandbox!.imports.map((i) => `${i.fileName} (${i.files.length} files)`).join(', ')}`);

    say(`SameGoal's SFTP server now holds: ${listTree(join(env.samegoal.root!, 'upload')).join(', ')}`);
    say();
    say(`What landed where (s3://${env.bucket}):`);
    const keys: Array<{ key: string; size: number }> = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: env.bucket, ContinuationToken: token }));
      for (const o of page.Contents ?? []) keys.push({ key: o.Key!, size: o.Size ?? 0 });
      token = page.NextContinuationToken;
    } while (token);
    const groups = new Map<string, { objects: number; bytes: number }>();
    for (const { key, size } of keys) {
      const group = `${key.split('/').slice(0, 3).join('/')}/`;
      const g = groups.get(group) ?? { objects: 0, bytes: 0 };
      g.objects++;
      g.bytes += size;
      groups.set(group, g);
    }
    for (const [group, g] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      say(`   ${group.padEnd(58)} ${String(g.objects).padStart(4)} objects ${fmtBytes(g.bytes).padStart(10)}`);
    }
    for (const sample of [
      keys.find((k) => k.key.startsWith('campusgroups/') && k.key.includes('/events/') && k.key.endsWith('_manifest.json'))?.key,
      `state/watermark/${today}/receipt.json`,
    ]) {
      if (!sample) continue;
      const body = await (await s3.send(new GetObjectCommand({ Bucket: env.bucket, Key: sample }))).Body!.transformToString();
      say();
      say(`   ${sample}:`);
      say(body.trim().replace(/^/gm, '     '));
    }
    say();
    say(`Files on disk: ${dataDir}/${env.bucket}   Lambda logs: ${logFile}`);
  } finally {
    s3.destroy();
    await env.stop();
    logs.end();
  }
  say(unexpected === 0 ? 'Every step ended as expected.' : `${unexpected} step(s) did not end as expected.`);
  return unexpected === 0 ? 0 : 1;
}
