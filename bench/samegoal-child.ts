/**
 * samegoal-delivery for one batch over the direct transport (our SFTP code moves the bytes), in
 * a process of its own so its peak memory is its own. Prints each task's duration and the peak RSS.
 */
import '../local/polyfills.js';
import { setLogSink } from '../lambdas/shared/log.js';
import { preparePipeline, runPipeline } from '../local/runner.js';

const [batch] = process.argv.slice(2);
setLogSink(() => undefined);
await preparePipeline('samegoal-delivery');
const entered = new Map<string, number>();
const seconds: Record<string, number> = {};
const run = await runPipeline('samegoal-delivery', { batch, allowMassChange: true }, {
  onEvent: (e) => {
    const name = e.state?.name;
    if (!name) return;
    if (e.type === 'StateEntered') entered.set(name, e.timestamp);
    if (e.type === 'StateExited') seconds[name] = (e.timestamp - entered.get(name)!) / 1000;
  },
});
if (run.status !== 'SUCCEEDED') throw new Error(`${run.error}: ${run.cause}`);
process.stdout.write(`${JSON.stringify({ seconds, remoteDir: (run.output as { remoteDir: string }).remoteDir, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
process.exit(0);
