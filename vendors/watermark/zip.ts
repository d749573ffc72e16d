import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import archiver from 'archiver';
import { s3 } from '../../lambdas/s3.js';
import { objectStream, zipKey, type BatchFile, type ZipInfo } from './batch.js';

export type { ZipInfo } from './batch.js';
import type { ImportRun } from './pipeline.js';


/**
 * S3 → archiver → S3 by multipart upload, one file open at a time: neither a file nor the
 * archive is ever held in memory. Files go in load order; the sha256 and size are taken on the way out.
 */
export async function zipBatch(bucket: string, batch: string, files: BatchFile[], level = 6): Promise<ZipInfo> {
  const key = zipKey(batch);
  const archive = archiver('zip', { zlib: { level } });
  const hash = createHash('sha256');
  let bytes = 0;
  const out = new PassThrough();
  archive.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  archive.pipe(out);
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: out, ContentType: 'application/zip' },
    partSize: 5 * 1024 * 1024,
    queueSize: 2,
  });
  const uploaded = upload.done();
  const failed = new Promise<never>((_, reject) => {
    archive.on('error', reject);
    archive.on('warning', reject);
    uploaded.catch(reject);
  });
  try {
    for (const f of files) {
      const entry = once(archive, 'entry');
      archive.append(await objectStream(bucket, f.key), { name: f.name });
      // The next file is opened only when this one is in the archive.
      await Promise.race([entry, failed]);
    }
    await Promise.race([archive.finalize(), failed]);
    await Promise.race([uploaded, failed]);
  } catch (error) {
    archive.abort();
    await upload.abort().catch(() => undefined);
    throw error;
  }
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  if (head.ContentLength !== bytes) throw new Error(`s3://${bucket}/${key} holds ${head.ContentLength} bytes; ${bytes} were written`);
  return { key, bytes, sha256: hash.digest('hex') };
}

export async function zip(run: ImportRun, bucket: string, level: number): Promise<ImportRun> {
  const files = run.files!.map((f) => ({ ...f, bytes: 0 }));
  return { ...run, zip: await zipBatch(bucket, run.batch, files, level) };
}
