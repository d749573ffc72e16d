/**
 * Our uploader alone, in a process of its own and bundled as the Lambdas are: POSTs the ZIP at
 * the path given, read from local disk as curl reads it, to the Watermark endpoint the parent's
 * environment names. Prints one JSON line with the upload's seconds.
 */
import { createReadStream, statSync } from 'node:fs';
import { setLogSink } from '../../lambdas/log.js';
import { WatermarkApi } from '../../vendors/watermark/api.js';
import { loadConfig } from '../../vendors/watermark/config.js';

const [flag, zipPath] = process.argv.slice(2);
if (flag !== '--upload-file' || !zipPath) throw new Error('usage: child --upload-file <zip>');
setLogSink(() => undefined);
const api = new WatermarkApi(loadConfig(), { clientId: process.env.BENCH_CLIENT_ID!, clientSecret: process.env.BENCH_CLIENT_SECRET! });
await api.token();
const started = performance.now();
await api.submitZip('bench.zip', statSync(zipPath).size, async () => createReadStream(zipPath));
process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - started) / 1000 })}\n`);
process.exit(0);
