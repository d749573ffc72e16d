import { CopyObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { posix } from 'node:path';
import { InvalidInputError } from '../../lambdas/errors.js';
import { getJson, s3 } from '../../lambdas/s3.js';
import { epochName, type SameGoalConfig } from './config.js';
import { batchReceiptKey, LAST_DELIVERED_KEY, outboxPrefix, stagingPrefix, type BatchReceipt, type Delivery } from './delivery.js';
import { massChangeGuard, validateDelivery, type DeliveredCounts } from './validate.js';

export async function prepare(input: unknown, runId: string, config: SameGoalConfig, now = new Date()): Promise<Delivery> {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new InvalidInputError(`The input must be a JSON object like {"batch": "2026-09-01"}, got ${JSON.stringify(input)}`);
  const { batch, mode = config.mode, allowMassChange = false, force = false, ...rest } = input as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new InvalidInputError(`Unknown input field '${Object.keys(rest)[0]}' (known: batch, mode, allowMassChange, force)`);
  if (typeof force !== 'boolean') throw new InvalidInputError(`force must be true or false, got ${JSON.stringify(force)}`);
  if (typeof batch !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(batch)) {
    throw new InvalidInputError(`batch must be a folder name under samegoal/outbox/, got ${JSON.stringify(batch)}`);
  }
  if (mode !== 'epoch' && mode !== 'auto') throw new InvalidInputError(`mode must be "epoch" or "auto", got ${JSON.stringify(mode)}`);
  if (typeof allowMassChange !== 'boolean') throw new InvalidInputError(`allowMassChange must be true or false, got ${JSON.stringify(allowMassChange)}`);

  // A batch delivered before is not delivered again unless forced: SameGoal would process it twice.
  const receipt = await getJson<BatchReceipt>(config.bucket, batchReceiptKey(batch));
  if (receipt && !force) {
    return {
      batch,
      runId,
      mode,
      transport: config.transport,
      remoteDir: receipt.remoteDir,
      files: [],
      warnings: [`already delivered into ${receipt.remoteDir} at ${receipt.completedAt} by ${receipt.runId}; nothing was sent (rerun with "force": true to deliver it again)`],
      alreadyDelivered: true,
    };
  }
  const files = await validateDelivery(config.bucket, outboxPrefix(batch));
  const last = await getJson<DeliveredCounts>(config.bucket, LAST_DELIVERED_KEY);
  const warnings = massChangeGuard(files, last, config.massChangePercent, allowMassChange).map((d) => `allowed mass change: ${d}`);

  const staging = stagingPrefix(runId);
  const out: Delivery = { batch, runId, mode, transport: config.transport, remoteDir: config.uploadDir, files: [], warnings, alreadyDelivered: false };
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
