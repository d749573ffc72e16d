import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../local/s3.js';
import { createLogger, setLogSink } from '../../lambdas/log.js';
import type { PageAnswer, PagingOptions } from '../../lambdas/paged-export.js';

/**
 * The paged-export engine asks for the next page while it writes the current one, so that the
 * vendor's answer time and ours overlap, and asks for no page past its budget or its time.
 */
let local: LocalS3;
let dir: string;
let engine: typeof import('../../lambdas/paged-export.js');
let s3: S3Client;
const BUCKET = 'paged-export-test';

beforeAll(async () => {
  setLogSink(() => undefined);
  dir = mkdtempSync(join(tmpdir(), 'paged-export-'));
  local = await startLocalS3(dir);
  Object.assign(process.env, { AWS_ENDPOINT_URL_S3: local.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
  engine = await import('../../lambdas/paged-export.js');
  s3 = new S3Client({ forcePathStyle: true, endpoint: local.endpoint });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3?.destroy();
  await local?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A vendor of `pages` pages of 500 records, numbered cursors; logs when each request starts and each answer is read. */
function vendor(pages: number, events: string[], fail?: number) {
  return async (cursor: number | undefined): Promise<PageAnswer<number>> => {
    const page = cursor ?? 0;
    events.push(`ask ${page}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (page === fail) throw new Error(`page ${page} failed`);
    const records = Array.from({ length: 500 }, (_, i) => ({ id: page * 500 + i, note: 'x'.repeat(50) }));
    return { ready: true, records, ...(page + 1 < pages ? { next: page + 1 } : {}) };
  };
}

const options = (prefix: string, fetch: PagingOptions<number>['fetch'], extra: Partial<PagingOptions<number>> = {}): PagingOptions<number> => ({
  vendor: 'Test',
  label: `test ${prefix}`,
  bucket: BUCKET,
  prefix,
  fetch,
  orderProblem: (current, next) => (current !== undefined && next <= current ? `page ${next} after ${current}` : undefined),
  maxPages: 100,
  remainingMs: () => 600_000,
  reserveMs: 1_000,
  log: createLogger(),
  ...extra,
});

async function partRecords(key: string): Promise<number[]> {
  const body = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray();
  return gunzipSync(body).toString().trim().split('\n').map((line) => (JSON.parse(line) as { id: number }).id);
}

describe('pageSegment', () => {
  it('asks for each next page before the current one is written, and writes every record once, in order', async () => {
    const events: string[] = [];
    const { GzipJsonLinesWriter } = await import('../../lambdas/s3.js');
    const original = GzipJsonLinesWriter.prototype.writeAll;
    const spy = vi.spyOn(GzipJsonLinesWriter.prototype, 'writeAll').mockImplementation(async function (this: InstanceType<typeof GzipJsonLinesWriter>, records) {
      const page = (records[0] as { id: number }).id / 500;
      events.push(`write ${page}`);
      await original.call(this, records);
      events.push(`written ${page}`);
    });
    try {
      const outcome = await engine.pageSegment(engine.newSegment<number>(), options('a/', vendor(4, events)));
      expect(outcome.kind).toBe('done');
      expect(outcome.state.counts).toMatchObject({ records: 2000, pages: 4, parts: 1 });
    } finally {
      spy.mockRestore();
    }
    expect(events).toEqual(['ask 0', 'ask 1', 'write 0', 'written 0', 'ask 2', 'write 1', 'written 1', 'ask 3', 'write 2', 'written 2', 'write 3', 'written 3']);
    expect(await partRecords('a/part-00000.jsonl.gz')).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  });

  it('asks for no page past its page budget, and the next invocation starts where it stopped', async () => {
    const events: string[] = [];
    const first = await engine.pageSegment(engine.newSegment<number>(), options('b/', vendor(6, events), { maxPages: 2 }));
    expect(first.kind).toBe('more');
    expect(events).toEqual(['ask 0', 'ask 1']);
    expect(first.state.cursor).toBe(2);
    const second = await engine.pageSegment(first.state, options('b/', vendor(6, events), { maxPages: 10 }));
    expect(second.kind).toBe('done');
    expect(events).toEqual(['ask 0', 'ask 1', 'ask 2', 'ask 3', 'ask 4', 'ask 5']);
    expect([...(await partRecords('b/part-00000.jsonl.gz')), ...(await partRecords('b/part-00001.jsonl.gz'))]).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });

  it('asks for no page once the Lambda is short of time', async () => {
    const events: string[] = [];
    let left = 10_000;
    const outcome = await engine.pageSegment(engine.newSegment<number>(), options('c/', vendor(6, events), { remainingMs: () => (left -= 4_000), reserveMs: 1_000 }));
    // 6,000 ms left after page 0 (asks for 1), 2,000 after page 1 (asks for 2), -2,000 after page 2: stops.
    expect(events).toEqual(['ask 0', 'ask 1', 'ask 2']);
    expect(outcome).toMatchObject({ kind: 'more', state: { cursor: 3, counts: { records: 1500 } } });
  });

  it('fails on a next page that fails, leaving no part, and checks the order before asking', async () => {
    const events: string[] = [];
    const error = await engine.pageSegment(engine.newSegment<number>(), options('d/', vendor(6, events, 3))).catch((e: Error) => e);
    expect((error as Error).message).toBe('page 3 failed');
    expect(events).toEqual(['ask 0', 'ask 1', 'ask 2', 'ask 3']);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'd/' }));
    expect(listed.KeyCount ?? 0).toBe(0);

    const backwards = await engine.pageSegment(engine.newSegment<number>(), options('e/', async (cursor) => ({ ready: true, records: [{ id: 1 }], next: cursor === undefined ? 5 : 4 }))).catch((e: Error) => e);
    expect((backwards as Error).message).toMatch(/page 4 after 5; the export stops/);
  });
});
