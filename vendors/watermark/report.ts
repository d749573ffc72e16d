import { elapsed, fmtBytes, fmtInt } from '../../lambdas/format.js';
import type { LocalEvent } from '../../lambdas/connector.js';
import type { ImportRun } from './pipeline.js';

export function watermarkProgress(write: (line: string) => void): (event: LocalEvent) => void {
  const stamp = elapsed();
  return (event) => {
    const name = event.state?.name;
    const out = event.state?.output as (ImportRun & { failure?: unknown }) | undefined;
    // A step that failed and was caught exits with its failure beside the run: the failure is reported at the end.
    if (out?.failure) return;
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
