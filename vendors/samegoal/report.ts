import { elapsed, fmtBytes, fmtInt } from '../../lambdas/format.js';
import type { LocalEvent } from '../../lambdas/connector.js';
import type { Delivery } from './delivery.js';

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
  if (d.alreadyDelivered) return `SameGoal delivery of batch '${d.batch}': ${d.warnings[0] ?? 'already delivered'}`;
  const lines = [`SameGoal delivery of batch '${d.batch}' into ${d.remoteDir} (${d.mode} mode, ${d.transport}) — delivered ${d.completedAt ?? ''}`, ''];
  lines.push(`${'file'.padEnd(24)}${'as'.padEnd(24)}${'rows'.padStart(10)}${'bytes'.padStart(12)}`);
  for (const f of d.files) lines.push(`${f.name.padEnd(24)}${f.remoteName.padEnd(24)}${fmtInt(f.rows).padStart(10)}${fmtInt(f.bytes).padStart(12)}`);
  if (d.mode === 'epoch') lines.push(`${'COMPLETE'.padEnd(24)}${'COMPLETE (last)'.padEnd(24)}${''.padStart(10)}${'0'.padStart(12)}`);
  return lines.join('\n');
}
