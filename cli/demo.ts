import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { DemoStep } from '../lambdas/connector.js';
import { fmtBytes, plural } from '../lambdas/format.js';
import { setLogSink } from '../lambdas/log.js';
import { PIPELINES } from '../vendors/index.js';
import { localVendors } from '../local/config.js';
import { localSecretId, startLocalEnvironment } from '../local/environment.js';
import { ROOT } from '../local/paths.js';
import { runPipeline } from '../local/runner.js';
import { progressLine, RetryTally } from './progress.js';

const say = (line = '') => process.stdout.write(`${line}\n`);

/**
 * Every pipeline end to end against the embedded sandboxes: what `npm run demo` runs, each
 * vendor's steps in the vendor list's order, then what landed where.
 */
export async function runDemo(): Promise<number> {
  const dataDir = join(ROOT, '.local', 'demo', 's3');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(join(ROOT, '.local', 'demo'), { recursive: true });
  const logFile = join(ROOT, '.local', 'demo', 'lambda-logs.jsonl');
  const logs = createWriteStream(logFile);
  let tally = new RetryTally();
  setLogSink((line) => {
    logs.write(`${line}\n`);
    tally.logLine(line);
  });

  const now = Date.now();
  const today = new Date(now).toISOString().slice(0, 10);
  const vendors = await localVendors();
  const sandboxes = Object.fromEntries(vendors.map((v) => [v.connector.name, v.local.demoSandbox?.(now) ?? {}]));
  const env = await startLocalEnvironment({ sandboxes, dataDir });
  const s3 = new S3Client({ forcePathStyle: true });
  const putBatch = async (prefix: string, batch: string, files: Record<string, string>) => {
    for (const [name, body] of Object.entries({ ...files, _READY: '' })) {
      await s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: `${prefix}/outbox/${batch}/${name}`, Body: body, ...(body.length === 0 ? { ContentLength: 0 } : {}) }));
    }
  };

  let unexpected = 0;
  try {
    say(`S3 (s3rver) ${env.s3Endpoint}, bucket ${env.bucket}`);
    for (const v of Object.values(env.vendors)) say(v.describe[0] ?? '');
    const steps: DemoStep[] = vendors.flatMap(({ connector, local }) =>
      local.demo?.({ today, now, putBatch, setSecret: (value) => env.secrets.set(localSecretId(connector), value) }) ?? [],
    );
    for (const [i, step] of steps.entries()) {
      say();
      say(`${i + 1}. ${step.title}`);
      say(`   input: ${JSON.stringify(step.input)}`);
      await step.before?.();
      const report = PIPELINES[step.pipeline]!.vendor.reports[step.pipeline]!;
      const progress = progressLine(process.stdout, '   ');
      const show = report.progress(progress.line);
      tally = new RetryTally();
      const result = await runPipeline(step.pipeline, step.input, {
        onEvent: (e) => {
          show(e);
          tally.event(e);
        },
      });
      progress.done();
      say();
      if (result.status === 'SUCCEEDED') say(report.summary(result.output).replace(/^/gm, '   '));
      else say(`   FAILED (${result.error}):\n${(result.cause ?? '').replace(/^/gm, '     ')}`);
      say(`   ${result.status} as expected: ${result.status === step.expect ? 'yes' : 'NO'}; ${plural(result.transitions, 'state transition')}, ${(result.durationMs / 1000).toFixed(1)} s; ${tally.summary()}`);
      if (result.status !== step.expect) unexpected++;
    }
    say();
    for (const { connector, local } of vendors) for (const line of local.demoReport?.(env.vendors[connector.name]!.handle) ?? []) say(line);
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
      const parts = key.split('/');
      const group = parts.length > 3 ? `${parts.slice(0, 3).join('/')}/` : key;
      const g = groups.get(group) ?? { objects: 0, bytes: 0 };
      g.objects++;
      g.bytes += size;
      groups.set(group, g);
    }
    for (const [group, g] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      say(`   ${group.padEnd(58)} ${plural(g.objects, 'object').padStart(12)} ${fmtBytes(g.bytes).padStart(10)}`);
    }
    for (const sample of [
      keys.find((k) => k.key.startsWith('campusgroups/') && k.key.includes('/events/') && k.key.endsWith('_manifest.json'))?.key,
      `state/watermark/${today}/receipt.json`,
    ]) {
      if (!sample || !keys.some((k) => k.key === sample)) continue;
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
