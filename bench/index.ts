import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setLogSink } from '../lambdas/log.js';
import { ROOT } from '../local/paths.js';
import { takeTargets, targetTable } from './targets.js';

type Say = (line?: string) => void;

/** Each benchmark: what it measures, and against which baseline in the same run. */
const BENCHMARKS: Record<string, { title: string; run: (say: Say) => Promise<unknown> }> = {
  'csv-checks': {
    title: 'CSV checks (the checker against csv-parse and a native scan; validation against an S3 GET; pathological files)',
    run: async (say) => (await import('./csv/bench.js')).benchCsv(say),
  },
  'campusgroups-export': {
    title: 'CampusGroups export benchmark',
    run: async (say) => (await import('./campusgroups/bench.js')).benchCampusGroups(say),
  },
  'watermark-import': {
    title: 'Watermark import benchmark (zip and upload against `zip` and `curl` in the same run)',
    run: async (say) => (await import('./watermark/bench.js')).benchWatermark(say),
  },
  'samegoal-delivery': {
    title: 'SameGoal delivery benchmark (against OpenSSH sftp to the same sshd, in the same run)',
    run: async (say) => (await import('./samegoal/bench.js')).benchSameGoal(say),
  },
  bundles: {
    title: 'Deployed bundles: size and cold-start import time per function',
    run: async (say) => (await import('./bundles.js')).benchBundles(say),
  },
};

export const BENCHMARK_NAMES = Object.keys(BENCHMARKS);

/** `npm run bench` / `etl bench [name]`: every benchmark (or one), each figure beside its baseline; figures saved in .local/bench/. */
export async function runBenchmarks(args: string[]): Promise<number> {
  setLogSink(() => undefined);
  const say: Say = (line = '') => process.stdout.write(`${line}\n`);
  const only = args[0];
  if (only && !BENCHMARKS[only]) throw new Error(`No benchmark '${only}' (known: ${BENCHMARK_NAMES.join(', ')})`);
  const dir = join(ROOT, '.local', 'bench');
  mkdirSync(dir, { recursive: true });
  for (const [name, bench] of Object.entries(BENCHMARKS)) {
    if (only && only !== name) continue;
    say();
    say(bench.title);
    writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(await bench.run(say), null, 2)}\n`);
  }
  // Every target of this run in one table; the figures of a 2-core machine vary from run to run.
  const targets = takeTargets();
  if (targets.length > 0) {
    say();
    say('Targets in this run (figures on a small shared machine vary by ±10–25% from run to run):');
    for (const line of targetTable(targets)) say(line);
    writeFileSync(join(dir, only ? `targets-${only}.json` : 'targets.json'), `${JSON.stringify(targets, null, 2)}\n`);
  }
  say();
  say('Figures saved to .local/bench/');
  return 0;
}
