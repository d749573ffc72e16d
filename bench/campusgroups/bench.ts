import { join } from 'node:path';
import { synthesize } from '../../local/bundles.js';
import { startLocalEnvironment } from '../../local/environment.js';
import { ROOT, runPipeline } from '../../local/runner.js';
import { SANDBOX_SCHOOL, SANDBOX_SECRET } from '../../vendors/campusgroups/sandbox/server.js';
import { alternately, runChild } from '../support.js';
import { target } from '../targets.js';

interface Measurement {
  mode: string;
  records: number;
  transitions: number;
  seconds: number;
  /** CPU time of the measuring process over the timed run, all its threads. */
  cpuSeconds: number;
  /** CPU time of this process, where the sandbox runs, over the whole child run (its untimed warm-up included). */
  sandboxCpuSeconds: number;
  loadSeconds: number;
  maxRssMb: number;
}

const ENTITIES = ['events', 'rsvp', 'users', 'checkins'];

async function measure(mode: 'export' | 'baseline', entities: string[]): Promise<Measurement> {
  const before = process.cpuUsage();
  const m = await runChild<Omit<Measurement, 'sandboxCpuSeconds'>>('bench/campusgroups/child.ts', [mode, entities.join(','), '999'], { BENCH_SCHOOL: SANDBOX_SCHOOL, BENCH_SECRET: SANDBOX_SECRET });
  const used = process.cpuUsage(before);
  return { ...m, sandboxCpuSeconds: (used.user + used.system) / 1e6 };
}

/** Where a run's CPU went on this machine's cores: the client's process, and the sandbox's (the vendor's, which is not ours in AWS). */
const cpuLine = (base: Measurement, exp: Measurement) =>
  `  CPU time: baseline ${fmt(base.cpuSeconds, 2)} s in ${fmt(base.seconds, 2)} s, export ${fmt(exp.cpuSeconds, 2)} s in ${fmt(exp.seconds, 2)} s (all threads, gzip's among them); ` +
  `the sandbox, in the bench's own process, ${fmt(base.sandboxCpuSeconds, 2)} s and ${fmt(exp.sandboxCpuSeconds, 2)} s over each whole child run`;

const rate = (m: Measurement) => m.records / m.seconds;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * The CampusGroups export against a zero-latency sandbox, side by side with a baseline client
 * in the same run, reported as ratios (and once against a sandbox that takes 20 ms a page);
 * peak memory at 100k and 1M records; state transitions of a nightly run and what they cost.
 */
export async function benchCampusGroups(say: (line?: string) => void): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};
  say('CampusGroups export benchmark (2-core machine; sandbox and s3rver on loopback; each measurement in its own process)');
  // What cdk synth ships, for the memory each function has in Lambda: its bundle in its own process.
  say('Synthesizing the bundles …');
  const assembly = await synthesize(join(ROOT, '.local', 'bench', 'cdk.out'));

  for (const total of [100_000, 1_000_000]) {
    const perEntity = total / ENTITIES.length;
    const env = await startLocalEnvironment({
      sandboxes: { campusgroups: { data: { recordsPerEntity: perEntity, start: '2025-01-01T00:00:00Z', end: '2025-12-01T00:00:00Z' }, pollsBeforeReady: 0 } },
    });
    try {
      // The faster of two runs in turn of each (every run has the same records).
      const [baseRuns, exportRuns] = await alternately(2, () => measure('baseline', ENTITIES), () => measure('export', ENTITIES));
      const [base, exp] = [baseRuns[0], exportRuns[0]];
      if (exp.records !== total || base.records !== total) throw new Error(`expected ${total} records, export got ${exp.records}, baseline ${base.records}`);
      const peakExport = Math.max(...exportRuns.map((r) => r.maxRssMb));
      say();
      say(`${fmt(total)} records (${ENTITIES.length} entities × ${fmt(perEntity)}, pages of 999):`);
      say(`  baseline (fetch + parse + discard): ${fmt(rate(base)).padStart(9)} records/s  peak RSS ${fmt(base.maxRssMb)} MB`);
      say(`  export (ASL + handlers → gzip → S3): ${fmt(rate(exp)).padStart(8)} records/s  peak RSS ${fmt(peakExport)} MB`);
      say(`  ratio export/baseline: ${fmt(rate(exp) / rate(base), 2)} ${target(`CampusGroups export vs baseline, ${fmt(total)} records`, rate(exp) / rate(base), { atLeast: 0.85 })}; not counted: loading the handlers and a first export of one day, ${fmt(exp.loadSeconds, 2)} s, once per container (a cold start; the baseline's first requests likewise)`);
      say(cpuLine(base, exp));
      const basePeak = Math.max(...baseRuns.map((r) => r.maxRssMb));
      // The same export from the bundles, one entity at a time as one Lambda instance serves one
      // invocation at a time: each function's peak is what Lambda would report as Max Memory Used.
      const bundled = await runPipeline(
        'campusgroups-export',
        { updatedStart: '2025-01-01T00:00:00Z', updatedEnd: '2025-12-31T23:59:59Z', entities: ENTITIES, concurrency: 1, windowDays: 366, pageSize: 999 },
        { code: { kind: 'bundled', assembly, onLine: () => undefined } },
      );
      if (bundled.status !== 'SUCCEEDED') throw new Error(`bundled run failed: ${bundled.error}: ${bundled.cause}`);
      const memory = bundled.maxMemoryUsedMb ?? {};
      say(`  peak memory per function, bundled, as Lambda counts it ${target(`CampusGroups largest function's peak, ${fmt(total)} records`, Math.max(...Object.values(memory)), { atMost: 256, unit: ' MB' })}: ${Object.entries(memory).map(([fn, mb]) => `${fn} ${mb} MB`).join(', ')}`);
      results[String(total)] = { baseline: base, export: exp, ratio: rate(exp) / rate(base), exportPeakRssMb: peakExport, baselinePeakRssMb: basePeak, bundledMemoryMb: memory };
    } finally {
      await env.stop();
    }
  }
  const small = results['100000'] as { exportPeakRssMb: number; baselinePeakRssMb: number };
  const large = results['1000000'] as { exportPeakRssMb: number; baselinePeakRssMb: number };
  say();
  say(`Peak memory of the export: ${fmt(small.exportPeakRssMb)} MB at 100k, ${fmt(large.exportPeakRssMb)} MB at 1M records ` +
    `(×${fmt(large.exportPeakRssMb / small.exportPeakRssMb, 2)}; four entities in one process, as no Lambda runs them: the target is per function, above)`);
  // Node, tsx and the SDK take the same floor in both processes; what the export adds on top is its own.
  say(`  above the baseline process: +${fmt(small.exportPeakRssMb - small.baselinePeakRssMb)} MB at 100k, ` +
    `+${fmt(large.exportPeakRssMb - large.baselinePeakRssMb)} MB at 1M (4 entities exported at once, in one process)`);

  // One entity, as one ExportPages Lambda exports it with a processor of its own (above, four
  // share one), against a one-entity baseline: from a vendor that answers at once, and from one
  // that takes 20 ms a page. The export asks for the next page while it writes the current one,
  // so its own work overlaps the vendor's.
  const oneEntity: Record<string, unknown> = {};
  for (const latencyMs of [0, 20]) {
    const total = 100_000;
    const env = await startLocalEnvironment({
      sandboxes: { campusgroups: { data: { recordsPerEntity: total, start: '2025-01-01T00:00:00Z', end: '2025-12-01T00:00:00Z' }, pollsBeforeReady: 0, pageLatencyMs: latencyMs } },
    });
    try {
      const [[base], [exp]] = await alternately(2, () => measure('baseline', ['events']), () => measure('export', ['events']));
      if (exp.records !== total || base.records !== total) throw new Error(`expected ${total} records, export got ${exp.records}, baseline ${base.records}`);
      say();
      say(`${fmt(total)} records of one entity from a vendor answering each page ${latencyMs ? `in ${latencyMs} ms` : 'at once'}:`);
      say(`  baseline ${fmt(rate(base))} records/s, export ${fmt(rate(exp))} records/s → ratio ${fmt(rate(exp) / rate(base), 2)} ${target(`CampusGroups one entity vs baseline, vendor at ${latencyMs} ms a page`, rate(exp) / rate(base), { atLeast: 0.85 })}`);
      say(cpuLine(base, exp));
      oneEntity[`${latencyMs}ms`] = { pageLatencyMs: latencyMs, records: total, baseline: base, export: exp, ratio: rate(exp) / rate(base) };
    } finally {
      await env.stop();
    }
  }
  results.oneEntity = oneEntity;

  // A nightly incremental run of all 23 entities, each query answering 202 three times.
  const env = await startLocalEnvironment({
    sandboxes: { campusgroups: { data: { recordsPerEntity: 500, start: '2025-01-01T00:00:00Z', end: new Date().toISOString() }, pollsBeforeReady: 3 } },
  });
  try {
    const run = await runPipeline('campusgroups-export', {});
    if (run.status !== 'SUCCEEDED') throw new Error(`nightly run failed: ${run.error}`);
    const perRun = (run.transitions * 0.025) / 1000;
    say();
    say(`Nightly incremental run, 23 entities, 3 polls each: ${run.transitions} state transitions ${target('CampusGroups nightly run, state transitions', run.transitions, { atMost: 300 })}`);
    say(`  at Standard pricing ($0.025 per 1,000): $${perRun.toFixed(5)} a run, $${(perRun * 365).toFixed(2)} a year ` +
      `(before the free tier of 4,000 a month)`);
    results.nightly = { transitions: run.transitions, usdPerRun: perRun, usdPerYear: perRun * 365 };
  } finally {
    await env.stop();
  }
  return results;
}
