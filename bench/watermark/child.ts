/**
 * The whole watermark-import pipeline for one batch, in a process of its own so its peak
 * memory is its own. Endpoints come from the environment the parent set. Prints one JSON
 * line with each task's duration (from the execution's events) and the peak RSS.
 */
import { setLogSink } from '../../lambdas/log.js';
import { preparePipeline, runPipeline } from '../../local/runner.js';
import { stepTimer } from '../support.js';

const [batch, zipPath] = process.argv.slice(2);
setLogSink(() => undefined);

if (batch === '--upload-file') {
  // Our uploader alone, reading the ZIP from local disk as curl does.
  const { createReadStream, statSync } = await import('node:fs');
  const { WatermarkApi } = await import('../../vendors/watermark/api.js');
  const { loadConfig } = await import('../../vendors/watermark/config.js');
  const config = loadConfig();
  const api = new WatermarkApi(config, { clientId: process.env.BENCH_CLIENT_ID!, clientSecret: process.env.BENCH_CLIENT_SECRET! });
  await api.token();
  const started = performance.now();
  await api.submitZip('bench.zip', statSync(zipPath!).size, async () => createReadStream(zipPath!));
  process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - started) / 1000 })}\n`);
  process.exit(0);
}
await preparePipeline('watermark-import');
const { onEvent, seconds } = stepTimer();
const run = await runPipeline('watermark-import', { batch }, { onEvent });
if (run.status !== 'SUCCEEDED') throw new Error(`${run.error}: ${run.cause}`);
const out = run.output as { zip: { bytes: number } };
process.stdout.write(`${JSON.stringify({ seconds, zipBytes: out.zip.bytes, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
process.exit(0);
