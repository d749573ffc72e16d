import { article, elapsed, fmtBytes, fmtInt, plural } from '../../lambdas/format.js';
import type { LocalEvent } from '../../lambdas/connector.js';
import type { EntityJob } from './export.js';
import type { ExportSummary } from './summary.js';

/** Progress lines from the execution's event log, one per part written, per wait and per entity finished. */
export function campusgroupsProgress(write: (line: string) => void): (event: LocalEvent) => void {
  const stamp = elapsed();
  return (event) => {
    const name = event.state?.name;
    if (event.type === 'StateExited' && name === 'PlanExport') {
      const plan = event.state!.output as { mode: string; entities: unknown[]; concurrency: number };
      write(`${stamp()}  planned ${article(plan.mode)} ${plan.mode} export of ${plural(plan.entities.length, 'entity', 'entities')}, ${plan.concurrency} at a time`);
    } else if (event.type === 'StateExited' && name === 'ExportPages') {
      const job = (event.state!.output as { job: EntityJob }).job;
      const records = job.phase === 'done' ? job.totals.records : job.totals.records + job.segment.counts.records;
      const windowsDone = job.phase === 'query' ? job.windowIndex : job.windowIndex + 1;
      const where = job.windowCount > 1 ? `window ${windowsDone}/${job.windowCount}` : '';
      write(`${stamp()}  ${job.entity.padEnd(27)} ${where.padEnd(14)} ${fmtInt(records).padStart(10)} records so far`);
    } else if (event.type === 'StateRetried' && name === 'ExportPages') {
      const job = (event.state!.input as { job: EntityJob }).job;
      write(`${stamp()}  ${job.entity.padEnd(27)} waiting for query ${job.query?.id ?? ''}`);
    } else if (event.type === 'StateEntered' && name === 'EntityFailed') {
      const input = event.state!.input as { job: { entity: string }; failure?: { Error?: string } };
      write(`${stamp()}  ${input.job.entity.padEnd(27)} FAILED: ${input.failure?.Error ?? ''}`);
    } else if (event.type === 'StateEntered' && name === 'TooManyPageBatches') {
      const input = event.state!.input as { job: { entity: string }; batches: { done: number } };
      write(`${stamp()}  ${input.job.entity.padEnd(27)} FAILED: stopped after ${input.batches.done} page batches, its cap`);
    }
  };
}

export function campusgroupsSummary(summary: ExportSummary): string {
  const lines: string[] = [];
  const range = summary.range ? ` ${summary.range.start} .. ${summary.range.end}` : '';
  lines.push(`CampusGroups export for school '${summary.school}': ${summary.mode}${range} — ${summary.status.toUpperCase()}`);
  lines.push('');
  lines.push(`${'entity'.padEnd(28)}${'status'.padEnd(11)}${'records'.padStart(11)}${'parts'.padStart(7)}${'size'.padStart(11)}  cursor`);
  for (const e of summary.entities) {
    if (e.status === 'succeeded') {
      lines.push(`${e.entity.padEnd(28)}${'ok'.padEnd(11)}${fmtInt(e.records).padStart(11)}${String(e.parts).padStart(7)}${fmtBytes(e.bytes).padStart(11)}  ${e.cursor ?? ''}`);
    } else {
      const records = e.totals ? fmtInt(e.totals.records) : '0';
      lines.push(`${e.entity.padEnd(28)}${'FAILED'.padEnd(11)}${records.padStart(11)}${String(e.totals?.parts ?? 0).padStart(7)}${fmtBytes(e.totals?.bytes ?? 0).padStart(11)}  ${e.error}`);
    }
  }
  const t = summary.totals;
  lines.push('');
  lines.push(`${t.succeeded} of ${t.entities} entities succeeded; ${fmtInt(t.records)} records in ${t.parts} parts (${fmtBytes(t.bytes)}).`);
  return lines.join('\n');
}
