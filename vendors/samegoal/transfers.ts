import { ListFileTransferResultsCommand, StartFileTransferCommand, TransferClient } from '@aws-sdk/client-transfer';
import { posix } from 'node:path';
import type { Logger } from '../../lambdas/log.js';
import { traced } from '../../lambdas/tracing.js';
import type { SameGoalConfig } from './config.js';
import { TransferFailedError, TransferStuckError, type Delivery } from './delivery.js';

const transfer = traced(new TransferClient({}));

async function start(config: SameGoalConfig, remoteDir: string, paths: string[]): Promise<string[]> {
  const ids: string[] = [];
  // At most 10 paths a call: the service's limit.
  for (let i = 0; i < paths.length; i += 10) {
    const res = await transfer.send(new StartFileTransferCommand({ ConnectorId: config.connectorId, SendFilePaths: paths.slice(i, i + 10), RemoteDirectoryPath: remoteDir }));
    ids.push(...paths.slice(i, i + 10).map(() => res.TransferId!));
  }
  return ids;
}

/** Starts the connector transfers of this phase: every CSV, or, once they are verified, the COMPLETE marker. */
export async function startTransfers(d: Delivery, config: SameGoalConfig, phase: 'files' | 'complete'): Promise<Delivery> {
  const paths = phase === 'files' ? d.files.map((f) => f.s3Path) : [d.completePath!];
  const ids = await start(config, d.remoteDir, paths);
  return { ...d, phase, waiting: true, checks: 0, transfers: paths.map((s3Path, i) => ({ s3Path, transferId: ids[i]!, attempts: 1 })) };
}

/**
 * The listing is the truth (events are best effort): every file's latest result. A FAILED
 * file is started again up to maxTransferAttempts; past that the run fails naming it.
 */
export async function checkTransfers(d: Delivery, config: SameGoalConfig, log: Logger): Promise<Delivery> {
  // The wait loop is bounded by count (and so by time: a wait of 5–10 s between checks).
  const checks = (d.checks ?? 0) + 1;
  if (checks > config.maxTransferChecks) {
    const pending = (d.transfers ?? []).filter((t) => t.status !== 'COMPLETED').map((t) => `${posix.basename(t.s3Path)} ${t.status ?? 'not listed'}`);
    throw new TransferStuckError(
      `After ${config.maxTransferChecks} checks the connector ${config.connectorId} had not finished: ${pending.join(', ') || 'no file listed'}. ` +
        `Nothing more was sent; see the connector's log group /aws/transfer/${config.connectorId}.`,
    );
  }
  const results = new Map<string, { StatusCode?: string; FailureMessage?: string }>();
  for (const id of new Set(d.transfers!.map((t) => t.transferId))) {
    const res = await transfer.send(new ListFileTransferResultsCommand({ ConnectorId: config.connectorId, TransferId: id }));
    for (const r of res.FileTransferResults ?? []) results.set(`${id}|${r.FilePath}`, r);
  }
  const transfers = [];
  const retry: string[] = [];
  for (const t of d.transfers!) {
    const r = results.get(`${t.transferId}|${t.s3Path}`);
    const status = r?.StatusCode ?? 'QUEUED';
    if (status === 'FAILED') {
      if (t.attempts >= config.maxTransferAttempts) {
        throw new TransferFailedError(`${posix.basename(t.s3Path)} failed ${t.attempts} times through connector ${config.connectorId}: ${r?.FailureMessage ?? 'no reason given'}`);
      }
      log.warn('transfer failed; starting it again', { file: t.s3Path, attempt: t.attempts, reason: r?.FailureMessage });
      retry.push(t.s3Path);
    }
    transfers.push({ ...t, status, ...(r?.FailureMessage ? { failure: r.FailureMessage } : {}) });
  }
  if (retry.length > 0) {
    const ids = await start(config, d.remoteDir, retry);
    for (const [i, path] of retry.entries()) {
      const t = transfers.find((x) => x.s3Path === path)!;
      Object.assign(t, { transferId: ids[i]!, attempts: t.attempts + 1, status: 'QUEUED' });
    }
  }
  return { ...d, transfers, checks, waiting: transfers.some((t) => t.status !== 'COMPLETED') };
}
