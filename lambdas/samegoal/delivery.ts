import { CopyObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ListFileTransferResultsCommand, StartFileTransferCommand, TransferClient } from '@aws-sdk/client-transfer';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { EtlError, InvalidInputError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { getJson, putJson, s3 } from '../shared/s3.js';
import { epochName, type SameGoalConfig } from './config.js';
import { connectSftp, putStream, type SftpSecret } from './sftp.js';
import { massChangeGuard, validateDelivery, type DeliveredCounts } from './validate.js';

export const outboxPrefix = (batch: string) => `samegoal/outbox/${batch}/`;
export const stagingPrefix = (runId: string) => `samegoal/staging/${runId}/`;
export const LAST_DELIVERED_KEY = 'state/samegoal/last-delivered.json';

/** What the samegoal-delivery machine carries: names, sizes and transfer ids, never data or credentials. */
export interface Delivery {
  batch: string;
  runId: string;
  mode: 'epoch' | 'auto';
  transport: 'connector' | 'direct';
  epoch?: string;
  remoteDir: string;
  files: Array<{ name: string; remoteName: string; s3Path: string; bytes: number; rows: number }>;
  completePath?: string;
  warnings: string[];
  /** Transfers under way: per file, its current transfer id and attempts so far. */
  transfers?: Array<{ s3Path: string; transferId: string; attempts: number; status?: string; failure?: string }>;
  phase?: 'files' | 'complete';
  waiting?: boolean;
  completedAt?: string;
}

export class TransferFailedError extends EtlError {
  constructor(message: string) {
    super('SameGoal.TransferFailed', message);
  }
}

export class VerifyFailedError extends EtlError {
  constructor(message: string) {
    super('SameGoal.VerifyFailed', message);
  }
}

export class EpochExistsError extends EtlError {
  constructor(message: string) {
    super('SameGoal.EpochExists', message);
  }
}

export async function prepare(input: unknown, runId: string, config: SameGoalConfig, now = new Date()): Promise<Delivery> {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new InvalidInputError(`The input must be a JSON object like {"batch": "2026-09-01"}, got ${JSON.stringify(input)}`);
  const { batch, mode = config.mode, allowMassChange = false, ...rest } = input as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new InvalidInputError(`Unknown input field '${Object.keys(rest)[0]}' (known: batch, mode, allowMassChange)`);
  if (typeof batch !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(batch)) {
    throw new InvalidInputError(`batch must be a folder name under samegoal/outbox/, got ${JSON.stringify(batch)}`);
  }
  if (mode !== 'epoch' && mode !== 'auto') throw new InvalidInputError(`mode must be "epoch" or "auto", got ${JSON.stringify(mode)}`);
  if (typeof allowMassChange !== 'boolean') throw new InvalidInputError(`allowMassChange must be true or false, got ${JSON.stringify(allowMassChange)}`);

  const files = await validateDelivery(config.bucket, outboxPrefix(batch));
  const last = await getJson<DeliveredCounts>(config.bucket, LAST_DELIVERED_KEY);
  const warnings = massChangeGuard(files, last, config.massChangePercent, allowMassChange).map((d) => `allowed mass change: ${d}`);

  const staging = stagingPrefix(runId);
  const out: Delivery = { batch, runId, mode, transport: config.transport, remoteDir: config.uploadDir, files: [], warnings };
  for (const f of files) {
    // A connector names the remote file after the S3 object: auto mode needs <name>_auto.csv objects.
    const remoteName = mode === 'auto' ? f.name.replace(/\.csv$/, '_auto.csv') : f.name;
    let key = f.key;
    if (remoteName !== f.name) {
      key = `${staging}${remoteName}`;
      await s3.send(new CopyObjectCommand({ Bucket: config.bucket, Key: key, CopySource: `${config.bucket}/${f.key}` }));
    }
    out.files.push({ name: f.name, remoteName, s3Path: `/${config.bucket}/${key}`, bytes: f.bytes, rows: f.rows });
  }
  if (mode === 'epoch') {
    out.epoch = epochName(now, config.timeZone);
    out.remoteDir = posix.join(config.uploadDir, out.epoch);
    await s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: `${staging}COMPLETE`, Body: '' }));
    out.completePath = `/${config.bucket}/${staging}COMPLETE`;
  }
  return out;
}

/** A connector cannot create a directory, so the epoch directory is made here over SFTP. */
export async function makeEpochDir(d: Delivery, config: SameGoalConfig, secret: SftpSecret): Promise<Delivery> {
  const sftp = await connectSftp(config.sftpUrl, secret, config.trustedHostKeys, config.secretId);
  try {
    if (await sftp.exists(d.remoteDir)) {
      throw new EpochExistsError(`The epoch directory ${d.remoteDir} already exists on the server; nothing was sent. Another run may be delivering into it; wait a second and run again.`);
    }
    await sftp.mkdir(d.remoteDir);
    return d;
  } finally {
    await sftp.end().catch(() => undefined);
  }
}

const transfer = new TransferClient({});

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
  return { ...d, phase, waiting: true, transfers: paths.map((s3Path, i) => ({ s3Path, transferId: ids[i]!, attempts: 1 })) };
}

/**
 * The listing is the truth (events are best effort): every file's latest result. A FAILED
 * file is started again up to maxTransferAttempts; past that the run fails naming it.
 */
export async function checkTransfers(d: Delivery, config: SameGoalConfig, log: Logger): Promise<Delivery> {
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
  return { ...d, transfers, waiting: transfers.some((t) => t.status !== 'COMPLETED') };
}

/** Every file on the server, by name and size, before COMPLETE may go; and after, COMPLETE itself. */
export async function verify(d: Delivery, config: SameGoalConfig, secret: SftpSecret, what: 'files' | 'complete'): Promise<Delivery> {
  const sftp = await connectSftp(config.sftpUrl, secret, config.trustedHostKeys, config.secretId);
  try {
    const listing = new Map((await sftp.list(d.remoteDir)).map((e) => [e.name, e.size]));
    const expected = what === 'files' ? d.files.map((f) => [f.remoteName, f.bytes] as const) : ([['COMPLETE', 0]] as const);
    // In auto mode SameGoal may already have moved a file into an epoch of its own: gone is fine, wrong size is not.
    const mayBeGone = d.mode === 'auto' && what === 'files';
    const wrong = expected
      .filter(([name, size]) => (listing.has(name) ? listing.get(name) !== size : !mayBeGone))
      .map(([name, size]) => `${name}: expected ${size} bytes, server has ${listing.has(name) ? `${listing.get(name)} bytes` : 'no such file'}`);
    if (wrong.length > 0) throw new VerifyFailedError(`Files in ${d.remoteDir} do not match what was sent: ${wrong.join('; ')}`);
    return what === 'complete' ? { ...d, completedAt: new Date().toISOString() } : d;
  } finally {
    await sftp.end().catch(() => undefined);
  }
}

/** Direct transport: the same steps over SFTP from this Lambda, for accounts without a connector. */
export async function deliverDirect(d: Delivery, config: SameGoalConfig, secret: SftpSecret): Promise<Delivery> {
  const sftp = await connectSftp(config.sftpUrl, secret, config.trustedHostKeys, config.secretId);
  try {
    for (const f of d.files) {
      const [, bucket, ...key] = f.s3Path.split('/');
      const body = (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key.join('/') }))).Body as Readable;
      await putStream(sftp, body, posix.join(d.remoteDir, f.remoteName));
    }
  } finally {
    await sftp.end().catch(() => undefined);
  }
  await verify(d, config, secret, 'files');
  if (d.mode === 'auto') return { ...d, completedAt: new Date().toISOString() };
  const again = await connectSftp(config.sftpUrl, secret, config.trustedHostKeys, config.secretId);
  try {
    await again.put(Buffer.alloc(0), posix.join(d.remoteDir, 'COMPLETE'));
  } finally {
    await again.end().catch(() => undefined);
  }
  return verify(d, config, secret, 'complete');
}

/** The counts the next run's mass-change guard compares with, and a record of this delivery. */
export async function record(d: Delivery, config: SameGoalConfig): Promise<Delivery> {
  const rows = Object.fromEntries(d.files.map((f) => [f.name, f.rows]));
  await putJson(config.bucket, LAST_DELIVERED_KEY, { epoch: d.epoch ?? d.runId, rows } satisfies DeliveredCounts);
  await putJson(config.bucket, `state/samegoal/deliveries/${d.epoch ?? d.runId}.json`, { ...d, transfers: undefined });
  return d;
}

/** After a failure: what is on the server in the run's directory, so the message can say what was left. */
export async function describeLeftovers(d: Delivery | undefined, config: SameGoalConfig, secret: SftpSecret): Promise<string> {
  if (!d?.epoch) return 'Nothing was written to the server in an epoch directory.';
  try {
    const sftp = await connectSftp(config.sftpUrl, secret, config.trustedHostKeys, config.secretId);
    try {
      if (!(await sftp.exists(d.remoteDir))) return `No epoch directory was created (${d.remoteDir}); nothing was left on the server.`;
      const entries = await sftp.list(d.remoteDir);
      const names = entries.map((e) => `${e.name} (${e.size} bytes)`);
      if (entries.some((e) => e.name === 'COMPLETE')) {
        return `COMPLETE is on the server in ${d.remoteDir}, so SameGoal may process it; it holds: ${names.join(', ')}.`;
      }
      return `Left on the server in ${d.remoteDir}, with no COMPLETE, so SameGoal will not process it: ${names.length ? names.join(', ') : 'nothing (an empty directory)'}.`;
    } finally {
      await sftp.end().catch(() => undefined);
    }
  } catch (error) {
    return `Could not list ${d.remoteDir} to say what was left (${(error as Error).message}); COMPLETE was not sent.`;
  }
}
