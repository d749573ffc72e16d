import { elapsed, fmtBytes, fmtInt } from '../../lambdas/format.js';
import type { LocalEvent } from '../../lambdas/connector.js';

export function gocontractorProgress(write: (line: string) => void): (event: LocalEvent) => void {
  const stamp = elapsed();
  return (event) => {
    if (event.type !== 'StateExited') return;
    const out = event.state?.output as { warnings?: string[]; job?: { entity?: string; totals?: { records: number }; phase?: string } } | undefined;
    if (event.state?.name === 'PlanExport') for (const w of out?.warnings ?? []) write(`${stamp()}  warning: ${w}`);
    const job = out?.job;
    if (event.state?.name === 'ExportPages' && job?.entity) write(`${stamp()}  ${job.entity.padEnd(10)} ${fmtInt(job.totals?.records ?? 0).padStart(10)} records so far${job.phase === 'done' ? ' (done)' : ''}`);
  };
}

export function gocontractorSummary(s: { status: string; warnings: string[]; entities: Array<Record<string, unknown>>; totals: { records: number; parts: number; bytes: number } }): string {
  const lines = [`GoContractor export — ${s.status.toUpperCase()}`, ''];
  for (const e of s.entities) lines.push(`${String(e.entity).padEnd(12)}${String(e.status).padEnd(11)}${fmtInt(Number(e.records ?? 0)).padStart(10)} records`);
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  lines.push('', `${fmtInt(s.totals.records)} records in ${s.totals.parts} parts (${fmtBytes(s.totals.bytes)}).`);
  return lines.join('\n');
}
