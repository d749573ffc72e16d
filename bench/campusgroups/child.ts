/**
 * One measurement, in a process of its own so its peak memory is its own: either the real
 * export (the ASL through the local runtime, real handlers) or the baseline, a minimal client
 * that asks for the same queries and pages and throws them away. Endpoints come from the
 * environment the parent set. Prints one JSON line.
 */
import { setLogSink } from '../../lambdas/log.js';
import { peakRssMb } from '../support.js';

const [mode, entitiesArg, pageSizeArg] = process.argv.slice(2);
const entities = (entitiesArg ?? '').split(',');
const pageSize = Number(pageSizeArg ?? 999);
const RANGE = { updatedStart: '2025-01-01T00:00:00Z', updatedEnd: '2025-12-31T23:59:59Z' };
/** One day of the same entities, exported first and not timed: what a container does once (see below). */
const WARM_UP = { updatedStart: '2025-01-01T00:00:00Z', updatedEnd: '2025-01-02T00:00:00Z' };

async function baseline(range = RANGE): Promise<number> {
  const base = process.env.CAMPUSGROUPS_BASE_URL!;
  const headers = { 'X-CG-School': process.env.BENCH_SCHOOL!, 'X-CG-API-Secret': process.env.BENCH_SECRET! };
  let records = 0;
  await Promise.all(
    entities.map(async (entity) => {
      const q = new URLSearchParams(range);
      const { queryId } = (await (await fetch(`${base}/${entity}?${q}`, { method: 'POST', headers })).json()) as { queryId: string };
      let token: string | undefined;
      for (;;) {
        const p = new URLSearchParams({ queryId, size: String(pageSize), ...(token ? { token } : {}) });
        const res = await fetch(`${base}/${entity}?${p}`, { headers });
        if (res.status === 202) {
          await res.arrayBuffer();
          continue;
        }
        const page = (await res.json()) as { Results: unknown[]; NextToken?: string };
        records += page.Results.length;
        token = page.NextToken;
        if (!token) break;
      }
    }),
  );
  return records;
}

async function exportRun(range = RANGE): Promise<{ records: number; transitions: number }> {
  setLogSink(() => undefined);
  const { runPipeline } = runner!;
  const run = await runPipeline('campusgroups-export', { ...range, entities, concurrency: entities.length, windowDays: 366, pageSize });
  if (run.status !== 'SUCCEEDED') throw new Error(`export failed: ${run.error}: ${run.cause}`);
  return { records: (run.output as { totals: { records: number } }).totals.records, transitions: run.transitions };
}

// What a Lambda container pays once, not per record, is timed on its own, before the run:
// loading the handlers, and a first export of one day, whose first calls set up what later
// calls reuse (the SDK's clients and credentials, connections, compiled code; locally also the
// state machine interpreter's checks of the ASL). The baseline makes its first requests the
// same way, over the same day.
const loadStarted = performance.now();
const runner = mode === 'export' ? await import('../../local/runner.js') : undefined;
if (runner) await runner.preloadSource('campusgroups-export');
if (mode === 'export') await exportRun(WARM_UP);
else await baseline(WARM_UP);
const loadSeconds = (performance.now() - loadStarted) / 1000;

const started = performance.now();
const cpuAtStart = process.cpuUsage();
const result = mode === 'baseline' ? { records: await baseline(), transitions: 0 } : await exportRun();
const seconds = (performance.now() - started) / 1000;
// Every thread of this process over the timed run: the export's gzip runs on the thread pool.
const cpu = process.cpuUsage(cpuAtStart);
process.stdout.write(`${JSON.stringify({ mode, ...result, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, loadSeconds, maxRssMb: peakRssMb() })}\n`);
process.exit(0);
