import { once } from 'node:events';
import { Transform, type TransformCallback } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createLogger } from './log.js';
import { traced } from './tracing.js';

const sdkLog = createLogger({ component: 'aws-sdk-s3' });
const describeSdk = (m: unknown): string => (typeof m === 'string' ? m : JSON.stringify(m) ?? String(m));

/**
 * One client per Lambda container; endpoints come from the standard AWS_ENDPOINT_URL_S3
 * variable when set. The SDK's own warnings go to our JSON log, not the console.
 */
export const s3 = traced(new S3Client({
  forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3),
  // The SDK's own messages are for debugging: an expected miss (NoSuchKey on a first run) is not a warning.
  logger: { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: (m: unknown) => sdkLog.debug(describeSdk(m)), error: (m: unknown) => sdkLog.debug(describeSdk(m)) },
}));

/**
 * A small JSON object (a receipt, a cursor), or undefined when there is none. S3 answers a
 * missing key with 404 NoSuchKey only to a caller that may list the bucket; the functions may
 * list only their own prefixes (an `s3:prefix` condition), and S3's documents do not say which
 * answer that gets. So a 403 is checked with a listing of exactly that key: absent there, the
 * object is missing; present, the 403 is a real refusal and stands.
 */
export async function getJson<T>(bucket: string, key: string): Promise<T | undefined> {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse(await res.Body!.transformToString('utf-8')) as T;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (error instanceof NoSuchKey || name === 'NoSuchKey') return undefined;
    if (name === 'AccessDenied' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
      if (!listed.Contents?.some((o) => o.Key === key)) return undefined;
    }
    throw error;
  }
}

export async function putJson(bucket: string, key: string, value: unknown): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: `${JSON.stringify(value, null, 2)}\n`,
      ContentType: 'application/json',
    }),
  );
}

export async function listObjects(bucket: string, prefix: string): Promise<Array<{ key: string; size: number; lastModified: number }>> {
  const out: Array<{ key: string; size: number; lastModified: number }> = [];
  let token: string | undefined;
  do {
    const res = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const item of res.Contents ?? []) {
      if (item.Key) out.push({ key: item.Key, size: item.Size ?? 0, lastModified: item.LastModified?.getTime() ?? 0 });
    }
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
  return out;
}

export async function listKeys(bucket: string, prefix: string): Promise<string[]> {
  return (await listObjects(bucket, prefix)).map((o) => o.key);
}

export async function deleteKeys(bucket: string, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
  }
}

class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

export interface WrittenObject {
  key: string;
  records: number;
  /** Bytes stored, i.e. compressed. */
  bytes: number;
}

/**
 * Streams JSON Lines through gzip into one S3 object by multipart upload. Memory stays at
 * about partSize × queueSize whatever the object's size: write() waits while gzip or the
 * upload is behind.
 */
export class GzipJsonLinesWriter {
  // Level 1: on 30 MB of JSON Lines (100k CampusGroups-like records) 310 MB/s against 203 at
  // level 3 and 118 at the default 6, for parts 4% larger than level 3's (12.3% of the text
  // against 11.8%). Output in 128 KiB pieces: each piece is a trip to the thread pool and back,
  // and a page of records compresses to about 40 KB, so one trip a page instead of three.
  private readonly gzip: Gzip = createGzip({ level: 1, chunkSize: 128 * 1024 });
  private readonly counter = new ByteCounter();
  private readonly upload: Upload;
  private readonly done: Promise<unknown>;
  private failure: unknown;
  private records = 0;

  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    this.gzip.pipe(this.counter);
    const upload = (this.upload = new Upload({
      client: s3,
      params: { Bucket: bucket, Key: key, Body: this.counter, ContentType: 'application/gzip' },
      // The S3 minimum part size; with two in flight a writer holds about 15 MB whatever the object's size.
      partSize: 5 * 1024 * 1024,
      queueSize: 2,
    }));
    this.done = upload.done();
    this.done.catch((error: unknown) => {
      this.failure = error;
      this.gzip.destroy();
    });
  }

  /** Writes records as one chunk of lines; resolves once gzip can take more. */
  async writeAll(records: readonly unknown[]): Promise<void> {
    if (this.failure) throw this.failure;
    if (records.length === 0) return;
    let text = '';
    for (const record of records) text += `${JSON.stringify(record)}\n`;
    this.records += records.length;
    if (!this.gzip.write(text)) await Promise.race([once(this.gzip, 'drain'), this.done.then(() => undefined)]);
    if (this.failure) throw this.failure;
  }

  /** Gives up the object: the multipart upload is aborted, so nothing partial is ever visible under the key. */
  async abort(): Promise<void> {
    this.gzip.destroy();
    await this.upload.abort().catch(() => undefined);
    await this.done.catch(() => undefined);
  }

  async close(): Promise<WrittenObject> {
    this.gzip.end();
    await this.done;
    return { key: this.key, records: this.records, bytes: this.counter.bytes };
  }
}
