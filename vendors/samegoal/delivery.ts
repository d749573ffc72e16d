import { EtlError } from '../../lambdas/errors.js';
import { putJson } from '../../lambdas/s3.js';
import type { SameGoalConfig } from './config.js';
import type { DeliveredCounts } from './validate.js';

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
  /** Checks of the current phase's transfers so far (the wait loop's count). */
  checks?: number;
  completedAt?: string;
  /** The batch has a receipt: this run sends nothing. */
  alreadyDelivered?: boolean;
  /** This run made the epoch directory (what it left there is its own). */
  madeDir?: boolean;
}

/** A delivered batch: where it went and when. */
export interface BatchReceipt {
  batch: string;
  remoteDir: string;
  completedAt: string;
  runId: string;
}

export const batchReceiptKey = (batch: string) => `state/samegoal/batches/${batch}.json`;
/** What a run holds while it delivers a batch (lambdas/leases.ts). */
export const batchLease = (batch: string) => `samegoal/${batch}`;

export class TransferFailedError extends EtlError {
  constructor(message: string) {
    super('SameGoal.TransferFailed', message);
  }
}

export class TransferStuckError extends EtlError {
  constructor(message: string) {
    super('SameGoal.TransferStuck', message);
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

/** The counts the next run's mass-change guard compares with, and a record of this delivery. */
export async function record(d: Delivery, config: SameGoalConfig): Promise<Delivery> {
  const rows = Object.fromEntries(d.files.map((f) => [f.name, f.rows]));
  await putJson(config.bucket, LAST_DELIVERED_KEY, { epoch: d.epoch ?? d.runId, rows } satisfies DeliveredCounts);
  await putJson(config.bucket, `state/samegoal/deliveries/${d.epoch ?? d.runId}.json`, { ...d, transfers: undefined });
  await putJson(config.bucket, batchReceiptKey(d.batch), { batch: d.batch, remoteDir: d.remoteDir, completedAt: d.completedAt ?? new Date().toISOString(), runId: d.runId } satisfies BatchReceipt);
  return d;
}
