import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startLocalEnvironment, type LocalEnvironment } from '../../local/environment.js';
import type { WatermarkHandle } from '../../vendors/watermark/local.js';
import { SANDBOX_TEMPLATES } from '../../vendors/watermark/sandbox/templates.js';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, WATERMARK_AUDIENCE } from '../../vendors/watermark/sandbox/server.js';
import { bundleChild, runChild, stepTimer, timed, writeCsv } from '../support.js';
import { target } from '../targets.js';
import { synthesize, type Assembly } from '../../local/bundles.js';
import { ROOT } from '../../local/paths.js';
import { runPipeline } from '../../local/runner.js';

const MiB = 1024 * 1024;
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Twelve CSVs of the sandbox's import types, about `total` bytes together, written to `dir`. */
async function writeBatch(dir: string, total: number): Promise<string[]> {
  const files = Object.entries(SANDBOX_TEMPLATES);
  const paths: string[] = [];
  for (const [index, [name, cols]] of files.entries()) {
    const path = join(dir, name);
    const row = (r: number) => cols.map((c, i) => (i === 0 ? `${c.slice(0, 3).toUpperCase()}${index}-${r}` : `${c}-${(r * 2654435761) % 100003}-${r % 97}`)).join(',');
    await writeCsv(path, cols.join(','), row, total / files.length);
    paths.push(path);
  }
  return paths;
}

async function uploadBatch(s3: S3Client, bucket: string, batch: string, paths: string[]): Promise<void> {
  for (const path of [...paths, '']) {
    const name = path ? path.split('/').pop()! : '_READY';
    await new Upload({ client: s3, params: { Bucket: bucket, Key: `watermark/outbox/${batch}/${name}`, Body: path ? createReadStream(path) : '' } }).done();
  }
}

interface PipelineMeasure {
  seconds: Record<string, number>;
  zipBytes: number;
  /** Each step's peak memory, its own process's (Lambda's Max Memory Used). */
  memoryMb: Record<string, number>;
}

/** watermark-import from the synthesized bundles, each function in its own process as in Lambda. */
async function runBundled(assembly: Assembly, batch: string): Promise<PipelineMeasure> {
  const { onEvent, seconds } = stepTimer();
  const run = await runPipeline('watermark-import', { batch }, { onEvent, code: { kind: 'bundled', assembly, onLine: () => undefined } });
  if (run.status !== 'SUCCEEDED') throw new Error(`${run.error}: ${run.cause}`);
  return { seconds, zipBytes: (run.output as { zip: { bytes: number } }).zip.bytes, memoryMb: run.maxMemoryUsedMb ?? {} };
}

const runWatermarkChild = <T>(child: string, ...args: string[]) =>
  runChild<T>(child, args, { BENCH_CLIENT_ID: SANDBOX_CLIENT_ID, BENCH_CLIENT_SECRET: SANDBOX_CLIENT_SECRET });

async function token(env: LocalEnvironment): Promise<string> {
  const res = await fetch(env.handle<WatermarkHandle>('watermark').tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: SANDBOX_CLIENT_ID, client_secret: SANDBOX_CLIENT_SECRET, audience: WATERMARK_AUDIENCE }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/**
 * watermark-import on a batch of about 1 GiB of CSV in 12 files: our streaming zip against
 * `zip -6` on the same files, our upload against `curl -F` to the same sandbox, and the peak
 * memory of the pipeline at 1 GiB and at 100 MiB.
 */
export async function benchWatermark(say: (line?: string) => void): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), 'wm-bench-'));
  // The sandbox does not open the ZIP here, so both uploads time the transfer alone.
  const env = await startLocalEnvironment({ sandboxes: { watermark: { pollsBeforeDone: 0, inspectZip: false } }, dataDir: join(work, 's3') });
  const s3 = new S3Client({ forcePathStyle: true });
  const results: Record<string, unknown> = {};
  // What cdk synth ships: each step runs its own bundle in its own process, so its memory is its own.
  say('Synthesizing the bundles …');
  const assembly = await synthesize(join(ROOT, '.local', 'bench', 'cdk.out'));
  const uploader = await bundleChild('bench/watermark/child.ts', work);
  try {
    for (const [label, size] of [['1 GiB', 1024 * MiB], ['100 MiB', 100 * MiB]] as const) {
      const dir = join(work, label.replace(' ', ''));
      mkdirSync(dir);
      const paths = await writeBatch(dir, size);
      const csvBytes = paths.reduce((n, p) => n + statSync(p).size, 0);
      const batch = `bench-${label.replace(' ', '').toLowerCase()}`;
      await uploadBatch(s3, env.bucket, batch, paths);
      const ours = await runBundled(assembly, batch);
      say();
      say(`${label} batch: ${fmt(csvBytes / MiB)} MiB of CSV in ${paths.length} files → ZIP of ${fmt(ours.zipBytes / MiB)} MiB`);
      say(`  ValidateBatch ${fmt(ours.seconds.ValidateBatch ?? 0, 1)} s (${fmt(csvBytes / MiB / (ours.seconds.ValidateBatch ?? 1))} MiB/s)`);
      say(`  peak memory per step ${target(`Watermark largest step's peak, ${label}`, Math.max(...Object.values(ours.memoryMb)), { atMost: 256, unit: ' MB' })}: ${Object.entries(ours.memoryMb).map(([step, mb]) => `${step} ${fmt(mb)} MB`).join(', ')}`);
      const entry: Record<string, unknown> = { csvBytes, zipBytes: ours.zipBytes, memoryMb: ours.memoryMb, seconds: ours.seconds };
      if (label === '1 GiB') {
        const zipPath = join(work, 'baseline.zip');
        const zip = await timed('zip', ['-q', '-6', '-j', zipPath, ...paths]);
        const ourZip = ours.seconds.ZipBatch!;
        say(`  zip:    ours (S3 → archiver level 6 → S3) ${fmt(csvBytes / MiB / ourZip)} MiB/s, \`zip -6\` on local disk ${fmt(csvBytes / MiB / zip.seconds)} MiB/s → ratio ${fmt(zip.seconds / ourZip, 2)} ${target('Watermark zip vs zip -6', zip.seconds / ourZip, { atLeast: 0.7 })}`);
        const bearer = await token(env);
        const zipSize = statSync(zipPath).size;
        const curl = await timed('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', `Authorization: Bearer ${bearer}`, '-F', `filename=@${zipPath}`, `${env.handle<WatermarkHandle>('watermark').apiBaseUrl}/v1/import/data`]);
        if (curl.stdout.trim() !== '200') throw new Error(`curl upload answered ${curl.stdout}`);
        const ourUpload = ours.seconds.SubmitImport!;
        say(`  upload: ours (S3 stream → multipart, exact length) ${fmt(ours.zipBytes / MiB / ourUpload)} MiB/s, \`curl -F\` from disk ${fmt(zipSize / MiB / curl.seconds)} MiB/s → ratio ${fmt(ours.zipBytes / ourUpload / (zipSize / curl.seconds), 2)} (the step as run, S3 against disk)`);
        const fromDisk = await runWatermarkChild<{ seconds: number }>(uploader, '--upload-file', zipPath);
        say(`          both from local disk: our uploader ${fmt(zipSize / MiB / fromDisk.seconds)} MiB/s, curl ${fmt(zipSize / MiB / curl.seconds)} MiB/s → ratio ${fmt(curl.seconds / fromDisk.seconds, 2)} ${target('Watermark upload vs curl -F, both from disk', curl.seconds / fromDisk.seconds, { atLeast: 0.9 })}`);
        // Both from the local S3 through the same endpoint: the same object, streamed by our
        // uploader as SubmitImport streams it, and by curl's GET piped into curl -F.
        const zipKey = 'watermark/bench-upload/baseline.zip';
        await new Upload({ client: s3, params: { Bucket: env.bucket, Key: zipKey, Body: createReadStream(zipPath) } }).done();
        const fromS3 = await runWatermarkChild<{ seconds: number }>(uploader, '--upload-s3', env.bucket, zipKey);
        const curlS3 = await timed('sh', ['-c',
          `curl -sf '${process.env.AWS_ENDPOINT_URL_S3}/${env.bucket}/${zipKey}' | curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer ${bearer}' -F filename=@- '${env.handle<WatermarkHandle>('watermark').apiBaseUrl}/v1/import/data'`]);
        if (curlS3.stdout.trim() !== '200') throw new Error(`curl upload from S3 answered ${curlS3.stdout}`);
        say(`          both from the local S3: our uploader ${fmt(zipSize / MiB / fromS3.seconds)} MiB/s, curl GET | curl -F ${fmt(zipSize / MiB / curlS3.seconds)} MiB/s → ratio ${fmt(curlS3.seconds / fromS3.seconds, 2)} ${target('Watermark upload vs curl, both from the local S3', curlS3.seconds / fromS3.seconds, { atLeast: 0.9 })}`);
        Object.assign(entry, {
          zipCmdSeconds: zip.seconds,
          zipRatio: zip.seconds / ourZip,
          curlSeconds: curl.seconds,
          uploadRatio: ours.zipBytes / ourUpload / (zipSize / curl.seconds),
          uploadFromDiskSeconds: fromDisk.seconds,
          uploadFromDiskRatio: curl.seconds / fromDisk.seconds,
          uploadFromS3Seconds: fromS3.seconds,
          curlFromS3Seconds: curlS3.seconds,
          uploadFromS3Ratio: curlS3.seconds / fromS3.seconds,
        });
      }
      results[label] = entry;
      rmSync(dir, { recursive: true, force: true });
    }
    const peak = (label: string) => Math.max(...Object.values((results[label] as { memoryMb: Record<string, number> }).memoryMb));
    say();
    say(`Largest step's peak memory: ${fmt(peak('100 MiB'))} MB at 100 MiB, ${fmt(peak('1 GiB'))} MB at 1 GiB (×${fmt(peak('1 GiB') / peak('100 MiB'), 2)}; target flat)`);
  } finally {
    s3.destroy();
    await env.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}
