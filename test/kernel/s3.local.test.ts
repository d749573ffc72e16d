import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../local/s3.js';

/**
 * S3 answers a GetObject of a missing key with 404 NoSuchKey only to a caller allowed to list
 * the bucket, and with 403 AccessDenied otherwise (GetObject's "Permissions" section). The
 * functions may list only their own prefixes, and which answer that gets is not documented:
 * both are served here, by a proxy in front of the local S3 that turns the 404 into the 403.
 */
let local: LocalS3;
let proxy: Server;
let dir: string;
/** Keys the proxy refuses although they exist: a real refusal. */
const denied = new Set<string>();
let getJson: typeof import('../../lambdas/s3.js').getJson;
const BUCKET = 'getjson-test';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 's3-getjson-'));
  local = await startLocalS3(dir);
  const upstream = new URL(local.endpoint);
  proxy = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    const isObjectGet = req.method === 'GET' && !/[?&]list-type=/.test(req.url!) && path.split('/').length > 2;
    const deny = () => {
      res.writeHead(403, { 'Content-Type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
    };
    if (isObjectGet && denied.has(path.slice(BUCKET.length + 2))) return void req.resume().on('end', deny);
    const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      if (isObjectGet && answer.statusCode === 404) return void answer.resume().on('end', deny);
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    req.pipe(out);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address() as { port: number };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${address.port}`,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  });
  ({ getJson } = await import('../../lambdas/s3.js'));
  const s3 = new S3Client({ forcePathStyle: true, endpoint: local.endpoint });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const key of ['state/cursor.json', 'state/cursor.json.old', 'state/denied.json']) {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify({ key }) }));
  }
  denied.add('state/denied.json');
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await local?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('getJson when S3 answers a missing key with 403 AccessDenied', () => {
  it('reads an object that is there', async () => {
    expect(await getJson(BUCKET, 'state/cursor.json')).toEqual({ key: 'state/cursor.json' });
  });

  it('answers undefined for a missing key, as for NoSuchKey', async () => {
    expect(await getJson(BUCKET, 'state/receipt.json')).toBeUndefined();
    // A key that only prefixes others is missing too.
    expect(await getJson(BUCKET, 'state/cursor')).toBeUndefined();
  });

  it('lets a real refusal of an object that is there stand', async () => {
    await expect(getJson(BUCKET, 'state/denied.json')).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
