import type { ExportSummary } from '../vendors/campusgroups/summary.js';
import type { EntityJob } from '../vendors/campusgroups/export.js';
import type { ImportRun } from '../vendors/watermark/pipeline.js';
import type { Delivery } from '../vendors/samegoal/delivery.js';
import type { LocalEvent } from './runner.js';

export const fmtInt = (n: number) => n.toLocaleString('en-US');

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** Progress lines from the execution's event log, one per part written, per wait and per entity finished. */
export function campusgroupsProgress(write: (line: string) => void): (event: LocalEvent) => void {
  const started = Date.now();
  const stamp = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`;
  return (event) => {
    const name = event.state?.name;
    if (event.type === 'StateExited' && name === 'PlanExport') {
      const plan = event.state!.output as { mode: string; entities: unknown[]; concurrency: number };
      write(`${stamp()}  planned a ${plan.mode} export of ${plan.entities.length} entities, ${plan.concurrency} at a time`);
    } else if (event.type === 'StateExited' && name === 'ExportPages') {
      const job = event.state!.output as EntityJob;
      const records = job.phase === 'done' ? job.totals.records : job.totals.records + job.window.records;
      const windowsDone = job.phase === 'query' ? job.windowIndex : job.windowIndex + 1;
      const where = job.windowCount > 1 ? `window ${windowsDone}/${job.windowCount}` : '';
      write(`${stamp()}  ${job.entity.padEnd(27)} ${where.padEnd(14)} ${fmtInt(records).padStart(10)} records so far`);
    } else if (event.type === 'StateRetried' && name === 'ExportPages') {
      const job = event.state!.input as EntityJob;
      write(`${stamp()}  ${job.entity.padEnd(27)} waiting for query ${job.query?.id ?? ''}`);
    } else if (event.type === 'StateEntered' && name === 'EntityFailed') {
      const input = event.state!.input as { entity: string; failure?: { Error?: string } };
      write(`${stamp()}  ${input.entity.padEnd(27)} FAILED: ${input.failure?.Error ?? ''}`);
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

function elapsed(): () => string {
  const started = Date.now();
  return () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`;
}

export function watermarkProgress(write: (line: string) => void): (event: LocalEvent) => void {
  const stamp = elapsed();
  return (event) => {
    const name = event.state?.name;
    const out = event.state?.output as ImportRun | undefined;
    if (event.type === 'StateExited' && name === 'CheckReceipt' && out) {
      const said = { validate: 'no receipt: validating', poll: `receipt found: resuming the polling of import ${out.importId}`, done: `already imported as ${out.importId} (${out.status}); nothing sent` };
      write(`${stamp()}  batch '${out.batch}': ${said[out.phase]}`);
    } else if (event.type === 'StateExited' && name === 'ValidateBatch' && out) {
      write(`${stamp()}  validated ${out.files!.length} files: ${out.files!.map((f) => `${f.name} (${f.type}, ${fmtInt(f.rows)} row${f.rows === 1 ? "" : "s"})`).join(', ')}`);
      for (const w of out.warnings ?? []) write(`${stamp()}  warning: ${w}`);
    } else if (event.type === 'StateExited' && name === 'ZipBatch' && out) {
      write(`${stamp()}  zipped to ${out.zip!.key}: ${fmtBytes(out.zip!.bytes)}, sha256 ${out.zip!.sha256.slice(0, 16)}…`);
    } else if (event.type === 'StateExited' && name === 'Authorize' && out) {
      write(`${stamp()}  token obtained, valid until ${out.tokenExpiresAt}`);
    } else if (event.type === 'StateExited' && name === 'SubmitImport' && out) {
      write(`${stamp()}  submitted: import_id ${out.importId}; receipt written`);
    } else if (event.type === 'StateRetried' && name === 'PollStatus') {
      write(`${stamp()}  import is In Progress; polling again`);
    }
  };
}

export function watermarkSummary(run: ImportRun): string {
  if (!run.batch) return `Watermark import: ${run.statusMessage ?? 'nothing to do'}`;
  const lines = [`Watermark import of batch '${run.batch}': ${run.status ?? 'unknown'} — import_id ${run.importId}`];
  if (run.files) {
    lines.push('');
    lines.push(`${'file'.padEnd(30)}${'type'.padEnd(24)}${'rows'.padStart(10)}`);
    for (const f of run.files) lines.push(`${f.name.padEnd(30)}${f.type.padEnd(24)}${fmtInt(f.rows).padStart(10)}`);
  }
  if (run.zip) lines.push('', `ZIP ${run.zip.key}, ${fmtBytes(run.zip.bytes)}, sha256 ${run.zip.sha256}`);
  if (run.statusMessage) lines.push(`Watermark says: ${run.statusMessage}`);
  return lines.join('\n');
}

export function samegoalProgress(write: (line: string) => void): (event: LocalEvent) => void {
  const stamp = elapsed();
  return (event) => {
    const name = event.state?.name;
    const d = event.state?.output as Delivery | undefined;
    if (event.type !== 'StateExited' || !d) return;
    if (name === 'PrepareDelivery') {
      write(`${stamp()}  validated ${d.files.map((f) => `${f.name} (${fmtInt(f.rows)} rows)`).join(', ')}; ${d.mode} mode into ${d.remoteDir} over the ${d.transport}`);
      for (const w of d.warnings) write(`${stamp()}  warning: ${w}`);
    } else if (name === 'MakeEpochDir') write(`${stamp()}  made ${d.remoteDir} over SFTP (host key pinned)`);
    else if (name === 'SendFiles' || name === 'SendComplete') write(`${stamp()}  connector transfers started: ${d.transfers!.map((t) => t.s3Path.split('/').pop()).join(', ')}`);
    else if ((name === 'CheckFiles' || name === 'CheckComplete') && d.transfers) {
      write(`${stamp()}  ${d.transfers.map((t) => `${t.s3Path.split('/').pop()} ${t.status}${t.attempts > 1 ? ` (attempt ${t.attempts})` : ''}`).join(', ')}`);
    } else if (name === 'VerifyFiles') write(`${stamp()}  every file verified on the server by name and size`);
    else if (name === 'ConfirmComplete') write(`${stamp()}  COMPLETE sent last and confirmed`);
    else if (name === 'DeliverDirect') write(`${stamp()}  delivered directly over SFTP and verified`);
  };
}

export function samegoalSummary(d: Delivery): string {
  const lines = [`SameGoal delivery of batch '${d.batch}' into ${d.remoteDir} (${d.mode} mode, ${d.transport}) — delivered ${d.completedAt ?? ''}`, ''];
  lines.push(`${'file'.padEnd(24)}${'as'.padEnd(24)}${'rows'.padStart(10)}${'bytes'.padStart(12)}`);
  for (const f of d.files) lines.push(`${f.name.padEnd(24)}${f.remoteName.padEnd(24)}${fmtInt(f.rows).padStart(10)}${fmtInt(f.bytes).padStart(12)}`);
  if (d.mode === 'epoch') lines.push(`${'COMPLETE'.padEnd(24)}${'COMPLETE (last)'.padEnd(24)}${''.padStart(10)}${'0'.padStart(12)}`);
  return lines.join('\n');
}

export function gocontractorProgress(write: (line: string) => void): (event: LocalEvent) => void {
  const stamp = elapsed();
  return (event) => {
    if (event.type !== 'StateExited') return;
    const out = event.state?.output as { warnings?: string[]; entity?: string; totals?: { records: number }; phase?: string } | undefined;
    if (event.state?.name === 'PlanExport') for (const w of out?.warnings ?? []) write(`${stamp()}  warning: ${w}`);
    if (event.state?.name === 'ExportPages' && out?.entity) write(`${stamp()}  ${out.entity.padEnd(10)} ${fmtInt(out.totals?.records ?? 0).padStart(10)} records so far${out.phase === 'done' ? ' (done)' : ''}`);
  };
}

export function gocontractorSummary(s: { status: string; warnings: string[]; entities: Array<Record<string, unknown>>; totals: { records: number; parts: number; bytes: number } }): string {
  const lines = [`GoContractor export — ${s.status.toUpperCase()}`, ''];
  for (const e of s.entities) lines.push(`${String(e.entity).padEnd(12)}${String(e.status).padEnd(11)}${fmtInt(Number(e.records ?? 0)).padStart(10)} records`);
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  lines.push('', `${fmtInt(s.totals.records)} records in ${s.totals.parts} parts (${fmtBytes(s.totals.bytes)}).`);
  return lines.join('\n');
}

export interface PipelineReport {
  progress: (write: (line: string) => void) => (event: LocalEvent) => void;
  summary: (output: unknown) => string;
}

/** How the CLI shows each pipeline's run. */
export const REPORTS: Record<string, PipelineReport> = {
  'campusgroups-export': { progress: campusgroupsProgress, summary: (o) => campusgroupsSummary(o as ExportSummary) },
  'watermark-import': { progress: watermarkProgress, summary: (o) => watermarkSummary(o as ImportRun) },
  'samegoal-delivery': { progress: samegoalProgress, summary: (o) => samegoalSummary(o as Delivery) },
  'gocontractor-export': { progress: gocontractorProgress, summary: (o) => gocontractorSummary(o as Parameters<typeof gocontractorSummary>[0]) },
};
