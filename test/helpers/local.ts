import { gunzipSync } from 'node:zlib';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { setLogSink } from '../../lambdas/log.js';
import type { LocalConfig } from '../../local/config.js';
import { secretIdOf, startLocalEnvironment, type LocalEnvironment } from '../../local/environment.js';
import type { LocalTransfer } from '../../local/transfer.js';
import type { CampusGroupsHandle } from '../../vendors/campusgroups/local.js';
import type { CampusGroupsSandboxOptions } from '../../vendors/campusgroups/sandbox/server.js';
import type { GoContractorHandle } from '../../vendors/gocontractor/local.js';
import type { GoContractorSandbox } from '../../vendors/gocontractor/sandbox/server.js';
import type { SameGoalHandle } from '../../vendors/samegoal/local.js';
import type { WatermarkHandle } from '../../vendors/watermark/local.js';
import type { WatermarkSandboxOptions } from '../../vendors/watermark/sandbox/server.js';
import { PutObjectCommand } from '@aws-sdk/client-s3';

/** Every log line the handlers print during a test, to assert that no secret is ever in one. */
export const logLines: string[] = [];

export const CAMPUSGROUPS_SECRET_ID = secretIdOf('campusgroups');
export const WATERMARK_SECRET_ID = secretIdOf('watermark');
export const SAMEGOAL_SECRET_ID = secretIdOf('samegoal');
export const GOCONTRACTOR_SECRET_ID = secretIdOf('gocontractor');

export type TestEnvironment = LocalEnvironment & {
  s3: S3Client;
  campusgroups: CampusGroupsHandle;
  watermark: WatermarkHandle;
  samegoal: SameGoalHandle & { transfer: LocalTransfer };
  gocontractor: GoContractorHandle & { sandbox: GoContractorSandbox };
};

/** The local runtime for a test file: S3, Secrets Manager, Transfer and every vendor sandbox, with sandbox options and a local config. */
export async function startEnv(
  sandboxes: { campusgroups?: Partial<CampusGroupsSandboxOptions>; watermark?: Partial<WatermarkSandboxOptions> } = {},
  config?: Partial<LocalConfig>,
): Promise<TestEnvironment> {
  setLogSink((line) => logLines.push(line));
  const env = await startLocalEnvironment({ sandboxes, config: config as LocalConfig | undefined });
  return {
    ...env,
    s3: new S3Client({ forcePathStyle: true }),
    campusgroups: env.handle<CampusGroupsHandle>('campusgroups'),
    watermark: env.handle<WatermarkHandle>('watermark'),
    samegoal: { ...env.handle<SameGoalHandle>('samegoal'), transfer: env.transfer },
    gocontractor: env.handle<GoContractorHandle & { sandbox: GoContractorSandbox }>('gocontractor'),
  };
}

/** Drops a batch into <pipeline>/outbox/<batch>/ with its _READY marker. */
export async function putBatch(s3: S3Client, bucket: string, batch: string, files: Record<string, string | Uint8Array>, vendor = 'watermark'): Promise<void> {
  for (const [name, body] of Object.entries({ ...files, _READY: '' })) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${vendor}/outbox/${batch}/${name}`, Body: body, ...(body.length === 0 ? { ContentLength: 0 } : {}) }));
  }
}

export async function listAll(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) keys.push(o.Key!);
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

export async function getText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return res.Body!.transformToString();
}

/** Every record id landed for an entity, one entry per line in every part: duplicates stay visible. */
export async function landedIds(s3: S3Client, bucket: string, school: string, entity: string): Promise<number[]> {
  const ids: number[] = [];
  for (const key of await listAll(s3, bucket, `campusgroups/${school}/${entity}/`)) {
    if (!key.endsWith('.jsonl.gz')) continue;
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = gunzipSync(Buffer.from(await res.Body!.transformToByteArray())).toString('utf-8');
    for (const line of text.split('\n')) if (line) ids.push((JSON.parse(line) as { id: number }).id);
  }
  return ids;
}

/** One field of every record landed under `prefix` as the text the file has: the digits of a 64-bit id, not a double's. */
export async function landedTexts(s3: S3Client, bucket: string, prefix: string, field: string): Promise<string[]> {
  const texts: string[] = [];
  for (const key of await listAll(s3, bucket, prefix)) {
    if (!key.endsWith('.jsonl.gz')) continue;
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = gunzipSync(Buffer.from(await res.Body!.transformToByteArray())).toString('utf-8');
    for (const line of text.split('\n')) if (line) texts.push((JSON.parse(line, (k, v, c) => (k === field ? c.source : v)) as Record<string, string>)[field]!);
  }
  return texts;
}

/** Each landed CampusGroups record's id as the text the file has. */
export const landedIdTexts = (s3: S3Client, bucket: string, school: string, entity: string) => landedTexts(s3, bucket, `campusgroups/${school}/${entity}/`, 'id');

export const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

export async function deleteAll(s3: S3Client, bucket: string, prefix: string): Promise<void> {
  const keys = await listAll(s3, bucket, prefix);
  if (keys.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
}

/**
 * Forgets every lease in the local state table. Only for tests that end executions where no
 * release step runs (Step Functions' terminal errors): in AWS such a hold lapses on its own.
 */
export async function clearLeases(): Promise<void> {
  const { DynamoDBClient, ScanCommand, DeleteItemCommand } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({});
  const table = process.env.STATE_TABLE!;
  const items = (await client.send(new ScanCommand({ TableName: table }))).Items ?? [];
  for (const item of items) await client.send(new DeleteItemCommand({ TableName: table, Key: { pk: item.pk! } }));
  client.destroy();
}
