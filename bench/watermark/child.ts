/**
 * Our uploader alone, in a process of its own and bundled as the Lambdas are: POSTs a ZIP to the
 * Watermark endpoint the parent's environment names, read from local disk (`--upload-file <zip>`)
 * or streamed from the local S3 as SubmitImport streams it (`--upload-s3 <bucket> <key>`).
 * Prints one JSON line with the upload's seconds.
 */
import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../../lambdas/s3.js';
import { setLogSink } from '../../lambdas/log.js';
import { WatermarkApi } from '../../vendors/watermark/api.js';
import { loadConfig } from '../../vendors/watermark/config.js';

const [flag, a, b] = process.argv.slice(2);
if (!(flag === '--upload-file' && a) && !(flag === '--upload-s3' && a && b)) throw new Error('usage: child --upload-file <zip> | --upload-s3 <bucket> <key>');
setLogSink(() => undefined);
const api = new WatermarkApi(loadConfig(), { clientId: process.env.BENCH_CLIENT_ID!, clientSecret: process.env.BENCH_CLIENT_SECRET! });
await api.token();
const size = flag === '--upload-file' ? statSync(a).size : (await s3.send(new HeadObjectCommand({ Bucket: a, Key: b }))).ContentLength!;
const open = flag === '--upload-file'
  ? async () => createReadStream(a)
  : async () => (await s3.send(new GetObjectCommand({ Bucket: a, Key: b }))).Body as Readable;
const started = performance.now();
await api.submitZip('bench.zip', size, open);
process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - started) / 1000 })}\n`);
process.exit(0);
