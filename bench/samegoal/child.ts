/**
 * samegoal-delivery for one batch over the direct transport (our SFTP code moves the bytes), in
 * a process of its own so its peak memory is its own. Prints each task's duration and the peak RSS.
 */
import { setLogSink } from '../../lambdas/log.js';
import { preloadSource, runPipeline } from '../../local/runner.js';
import { stepTimer } from '../support.js';

const [batch, deliveryFile] = process.argv.slice(2);
setLogSink(() => undefined);

if (batch === '--deliver-only') {
  // The delivery step alone, as its own Lambda runs it: a fresh epoch directory, then DeliverDirect.
  const { readFileSync } = await import('node:fs');
  const { deliverDirect, makeEpochDir } = await import('../../vendors/samegoal/on-server.js');
  const { loadConfig } = await import('../../vendors/samegoal/config.js');
  const config = loadConfig();
  const d = JSON.parse(readFileSync(deliveryFile!, 'utf-8')) as import('../../vendors/samegoal/delivery.js').Delivery;
  const secret = JSON.parse(process.env.BENCH_SFTP_SECRET!) as import('../../vendors/samegoal/sftp.js').SftpSecret;
  const fresh = { ...d, remoteDir: `${d.remoteDir}-again` };
  await makeEpochDir(fresh, config, secret);
  const started = performance.now();
  await deliverDirect(fresh, config, secret);
  process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - started) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
  process.exit(0);
}
if (batch === '--put-from-disk') {
  // Our SFTP code alone, fed from local disk as OpenSSH's sftp is: the same files into a new directory.
  const { createReadStream } = await import('node:fs');
  const { basename } = await import('node:path');
  const { connectSftp, putStream } = await import('../../vendors/samegoal/sftp.js');
  const { loadConfig } = await import('../../vendors/samegoal/config.js');
  const config = loadConfig();
  const secret = JSON.parse(process.env.BENCH_SFTP_SECRET!) as import('../../vendors/samegoal/sftp.js').SftpSecret;
  const [remoteDir, ...paths] = process.argv.slice(3);
  const started = performance.now();
  const sftp = await connectSftp(config.sftpUrl, secret, config.trustedHostKeys, config.secretId);
  await sftp.mkdir(remoteDir!);
  for (const path of paths) {
    const t = performance.now();
    const n = await putStream(sftp, createReadStream(path, { highWaterMark: 64 * 1024 }), `${remoteDir}/${basename(path)}`);
    if (process.env.BENCH_DEBUG) process.stderr.write(`${basename(path)} ${n} bytes ${((n / 1048576) / ((performance.now() - t) / 1000)).toFixed(0)} MiB/s, connected after ${(t - started).toFixed(0)} ms\n`);
  }
  await sftp.end();
  process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - started) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
  process.exit(0);
}
await preloadSource('samegoal-delivery');
const { onEvent, seconds } = stepTimer();
const run = await runPipeline('samegoal-delivery', { batch, allowMassChange: true }, { onEvent });
if (run.status !== 'SUCCEEDED') throw new Error(`${run.error}: ${run.cause}`);
process.stdout.write(`${JSON.stringify({ seconds, delivery: run.output, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
process.exit(0);
