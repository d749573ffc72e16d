import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { InvalidInputError, UnexpectedResponseError } from '../../lambdas/errors.js';
import type { Logger } from '../../lambdas/log.js';
import { deleteKeys, getJson, listObjects, putJson, s3 } from '../../lambdas/s3.js';
import type { WatermarkApi } from './api.js';
import { checkBatchName, loadRegistry, receiptKey, validateBatch, type BatchFile, type ZipInfo } from './batch.js';

import { ImportInProgressError, ImportStuckError, SubmitUncertainError } from './errors.js';

/** The state the watermark-import machine carries from task to task: names, counts and ids, never data or a token. */
export interface ImportRun {
  batch: string;
  force: boolean;
  maxPollSeconds: number;
  runId: string;
  phase: 'validate' | 'poll' | 'done';
  files?: Array<Pick<BatchFile, 'name' | 'type' | 'rows' | 'headerChecked'> & { key: string }>;
  warnings?: string[];
  zip?: ZipInfo;
  tokenExpiresAt?: string;
  importId?: string;
  submittedAt?: string;
  status?: 'In Progress' | 'Completed' | 'Failed';
  statusMessage?: string;
  /** Set when the run ends failed: what the Fail state reports. */
  error?: string;
  cause?: string;
}

export interface Receipt {
  batch: string;
  /** Null while the upload is under way: its outcome is then unknown. */
  importId: string | null;
  /**
   * Submitting: the upload began and its outcome is not known (the run died); Uncertain: the ZIP
   * went out in full and the answer did not prove whether an import exists; NotSent: refused or
   * never fully sent, so nothing was imported.
   */
  status: 'Submitting' | 'Uncertain' | 'NotSent' | 'Submitted' | 'In Progress' | 'Completed' | 'Failed';
  statusMessage?: string;
  fileName?: string;
  timeReceived?: string;
  zip: ZipInfo;
  files: Array<{ name: string; type: string; rows: number }>;
  submittedAt: string;
  finishedAt?: string;
  runIds: string[];
}

const FINAL = new Set(['Completed', 'Failed']);

/** What a run holds while it works on a batch (lambdas/leases.ts). */
export const batchLease = (batch: string) => `watermark/${batch}`;
const PENDING = new Set(['In Progress', 'Pending']);

export interface StartRequest {
  batch?: string;
  latestReady?: boolean;
  force?: boolean;
  maxPollSeconds?: number;
}

/** The input: {"batch": "<folder>"}, or {"latestReady": true} (for schedules) for the newest batch with a _READY marker. */
export async function startRun(input: unknown, runId: string, defaultMaxPollSeconds: number, bucket: string): Promise<Omit<ImportRun, 'phase'> | undefined> {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new InvalidInputError(`The input must be a JSON object like {"batch": "2026-09-01"}, got ${JSON.stringify(input)}`);
  const { batch: given, latestReady, force, maxPollSeconds, ...rest } = input as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new InvalidInputError(`Unknown input field '${unknown[0]}' (known: batch, latestReady, force, maxPollSeconds)`);
  if ((given === undefined) === (latestReady !== true)) throw new InvalidInputError('Give either "batch": "<folder under watermark/outbox/>" or "latestReady": true');
  const batch = given ?? (await latestReadyBatch(bucket));
  if (batch === undefined) return undefined;
  if (force !== undefined && typeof force !== 'boolean') throw new InvalidInputError(`force must be true or false, got ${JSON.stringify(force)}`);
  if (maxPollSeconds !== undefined && (typeof maxPollSeconds !== 'number' || !Number.isInteger(maxPollSeconds) || maxPollSeconds < 1)) {
    throw new InvalidInputError(`maxPollSeconds must be a positive integer, got ${JSON.stringify(maxPollSeconds)}`);
  }
  return { batch: checkBatchName(batch), force: (force as boolean | undefined) ?? false, maxPollSeconds: (maxPollSeconds as number | undefined) ?? defaultMaxPollSeconds, runId };
}

/** The newest batch whose _READY marker is there and which has no receipt yet. */
async function latestReadyBatch(bucket: string): Promise<string | undefined> {
  const markers = (await listObjects(bucket, 'watermark/outbox/')).filter((o) => /^watermark\/outbox\/[^/]+\/_READY$/.test(o.key));
  markers.sort((a, b) => b.lastModified - a.lastModified);
  for (const marker of markers) {
    const batch = marker.key.split('/')[2]!;
    if (!(await getJson<Receipt>(bucket, receiptKey(batch)))) return batch;
  }
  return undefined;
}

/** A batch with a receipt is never imported again unless forced: its import is polled (or its outcome reported). */
export async function checkReceipt(run: Omit<ImportRun, 'phase'> | undefined, bucket: string, runId: string): Promise<ImportRun> {
  if (!run) return { batch: '', force: false, maxPollSeconds: 0, runId, phase: 'done', statusMessage: 'No batch is ready: every _READY batch already has a receipt' };
  const receipt = await getJson<Receipt>(bucket, receiptKey(run.batch));
  if (!receipt || run.force || receipt.status === 'NotSent') return { ...run, phase: 'validate' };
  if (!receipt.importId) {
    const said = receipt.status === 'Uncertain' ? `its upload at ${receipt.submittedAt} ended uncertain (${receipt.statusMessage ?? ''})` : `it was being uploaded at ${receipt.submittedAt} and no import id was recorded`;
    throw new SubmitUncertainError(
      `Batch '${run.batch}' is not sent again: ${said}, so it may or may not exist in Watermark. ` +
        `Check System Administration › Data Transactions › Bulk Imports; to send it again, rerun with "force": true.`,
    );
  }
  const base = { ...run, importId: receipt.importId, submittedAt: receipt.submittedAt, zip: receipt.zip };
  if (!FINAL.has(receipt.status)) return { ...base, phase: 'poll' };
  return finished({ ...base, phase: 'done' }, receipt.status as 'Completed' | 'Failed', receipt.statusMessage ?? '', true);
}

export async function validate(run: ImportRun, bucket: string, log: Logger): Promise<ImportRun> {
  const { files, warnings } = await validateBatch(bucket, run.batch, await loadRegistry(bucket));
  for (const w of warnings) log.warn(w, { batch: run.batch });
  return { ...run, files: files.map(({ name, key, type, rows, headerChecked }) => ({ name, key, type, rows, headerChecked })), warnings };
}

export async function authorize(run: ImportRun, api: WatermarkApi): Promise<ImportRun> {
  const token = await api.token();
  return { ...run, tokenExpiresAt: new Date(token.expiresAt).toISOString() };
}

export async function submit(run: ImportRun, api: WatermarkApi, bucket: string, log: Logger): Promise<ImportRun> {
  const zipInfo = run.zip!;
  const open = async () => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: zipInfo.key }))).Body as Readable;
  const submittedAt = new Date().toISOString();
  const receipt: Receipt = {
    batch: run.batch,
    importId: null,
    status: 'Submitting',
    zip: zipInfo,
    files: run.files!.map(({ name, type, rows }) => ({ name, type, rows })),
    submittedAt,
    runIds: [run.runId],
  };
  // Written before the upload and again with the import id before any poll: a rerun either
  // polls the import or, if the upload's outcome was never known, refuses to send it again.
  await putJson(bucket, receiptKey(run.batch), receipt);
  let importId: string;
  try {
    importId = await api.submitZip(`${run.batch}.zip`, zipInfo.bytes, open);
  } catch (error) {
    // The receipt stays, saying what is known: refused or never fully sent (a rerun may send it
    // again), or uncertain (a rerun refuses to, unless forced).
    const e = error as Error;
    const status: Receipt['status'] = error instanceof SubmitUncertainError ? 'Uncertain' : 'NotSent';
    await putJson(bucket, receiptKey(run.batch), { ...receipt, status, statusMessage: `${e.name}: ${e.message}`, finishedAt: new Date().toISOString() } satisfies Receipt);
    throw error;
  }
  await putJson(bucket, receiptKey(run.batch), { ...receipt, importId, status: 'Submitted' } satisfies Receipt);
  log.info('import submitted', { batch: run.batch, importId, bytes: zipInfo.bytes });
  return { ...run, importId, submittedAt, phase: 'poll' };
}

interface StatusAnswer {
  import_id?: string;
  status?: string;
  file_name?: string;
  time_received?: string;
  status_message?: string;
}

export async function poll(run: ImportRun, api: WatermarkApi, bucket: string, now = Date.now()): Promise<ImportRun> {
  const importId = run.importId!;
  const answer = await api.getJson<StatusAnswer>(`/v1/import/${encodeURIComponent(importId)}/status`);
  const status = answer.status;
  const elapsed = Math.round((now - Date.parse(run.submittedAt!)) / 1000);
  // The document names the not-yet-done state both "In Progress" and "Pending"; anything else is not guessed at.
  if (status !== 'Completed' && status !== 'Failed' && !PENDING.has(String(status))) {
    throw new UnexpectedResponseError(
      'Watermark',
      `GET /v1/import/${importId}/status answered status ${JSON.stringify(status)}, which is none of In Progress, Pending, Completed, Failed; the run stops rather than guess whether the import finished`,
    );
  }
  if (status !== 'Completed' && status !== 'Failed') {
    if (elapsed >= run.maxPollSeconds) throw new ImportStuckError(importId, elapsed, run.maxPollSeconds);
    throw new ImportInProgressError(importId, elapsed);
  }
  const receipt = await getJson<Receipt>(bucket, receiptKey(run.batch));
  if (receipt) {
    await putJson(bucket, receiptKey(run.batch), {
      ...receipt,
      status,
      statusMessage: answer.status_message ?? '',
      fileName: answer.file_name,
      timeReceived: answer.time_received,
      finishedAt: new Date(now).toISOString(),
      runIds: receipt.runIds.includes(run.runId) ? receipt.runIds : [...receipt.runIds, run.runId],
    } satisfies Receipt);
  }
  return finished({ ...run, phase: 'done' }, status, answer.status_message ?? '', false);
}

function finished(run: ImportRun, status: 'Completed' | 'Failed', message: string, fromReceipt: boolean): ImportRun {
  const out: ImportRun = { ...run, status, statusMessage: message };
  if (status === 'Failed') {
    out.error = 'Watermark.ImportFailed';
    out.cause =
      `Watermark import ${run.importId} of batch '${run.batch}' ended Failed${message ? `: ${message}` : ''}. ` +
      `The per-file error reports are in System Administration › Data Transactions › Bulk Imports (import ${run.importId}).` +
      (fromReceipt ? ` This batch was imported before; rerun with "force": true to send it again.` : '');
  }
  return out;
}
