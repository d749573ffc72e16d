import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
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

  it('puts the next page\'s request on the wire before it starts writing the current page', async () => {
    // A vendor over real HTTP: the request is a promise chain in fetch, and it reaches the socket only when that chain runs.
    const server = createServer((req, res) => {
      const page = Number(new URL(req.url!, 'http://vendor').searchParams.get('page'));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ records: Array.from({ length: 500 }, (_, i) => ({ id: page * 500 + i })), next: page + 1 < 6 ? page + 1 : null }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const events: string[] = [];
    const realWrite = Socket.prototype.write;
    vi.spyOn(Socket.prototype, 'write').mockImplementation(function (this: Socket, ...args: unknown[]) {
      const head = typeof args[0] === 'string' ? args[0] : Buffer.isBuffer(args[0]) ? args[0].toString('latin1', 0, 100) : '';
      const sent = /^GET \/\?page=(\d+)/.exec(head);
      if (sent && this.remotePort === port) events.push(`sent ${sent[1]}`);
      return (realWrite as (...a: unknown[]) => boolean).apply(this, args);
    });
    const { GzipJsonLinesWriter } = await import('../../lambdas/s3.js');
    const original = GzipJsonLinesWriter.prototype.writeAll;
    vi.spyOn(GzipJsonLinesWriter.prototype, 'writeAll').mockImplementation(async function (this: InstanceType<typeof GzipJsonLinesWriter>, records) {
      events.push(`write ${(records[0] as { id: number }).id / 500}`);
      await original.call(this, records);
    });
    const overHttp = async (cursor: number | undefined): Promise<PageAnswer<number>> => {
      const body = (await (await fetch(`http://127.0.0.1:${port}/?page=${cursor ?? 0}`)).json()) as { records: unknown[]; next: number | null };
      return { ready: true, records: body.records, ...(body.next === null ? {} : { next: body.next }) };
    };
    try {
      const outcome = await engine.pageSegment(engine.newSegment<number>(), options('http/', overHttp));
      expect(outcome.state.counts).toMatchObject({ records: 3000, pages: 6 });
    } finally {
      vi.restoreAllMocks();
      server.close();
    }
    // Page 1 may wait for a connection of its own to open; from page 2 on, each request goes out on a kept-alive one before the page before it is written.
    for (const page of [2, 3, 4, 5]) expect(events.indexOf(`sent ${page}`), events.join(', ')).toBeLessThan(events.indexOf(`write ${page - 1}`));
    expect(events.filter((e) => e.startsWith('write'))).toEqual(['write 0', 'write 1', 'write 2', 'write 3', 'write 4', 'write 5']);
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
