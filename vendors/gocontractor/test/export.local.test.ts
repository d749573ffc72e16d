import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runPipeline } from '../../../local/runner.js';
import { GC_SANDBOX_KEY } from '../sandbox/server.js';
import { int64IdText } from '../../../lambdas/sandbox/ids.js';
import { GOCONTRACTOR_SECRET_ID, deleteAll, landedTexts, getText, listAll, logLines, startEnv } from '../../../test/helpers/local.js';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';

let env: Awaited<ReturnType<typeof startEnv>>;

beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env?.stop();
});
beforeEach(async () => {
  env.gocontractor.sandbox.configure({ forbidden: false, faults: { rate: 0 }, repeatPageAfter: 0, omitNextPage: false, int64Ids: false });
  env.gocontractor.sandbox.requests.length = 0;
  env.secrets.set(GOCONTRACTOR_SECRET_ID, { apiKey: GC_SANDBOX_KEY });
  await deleteAll(env.s3, env.bucket, 'gocontractor/');
});

async function landedIds(entity: string): Promise<number[]> {
  const ids: number[] = [];
  for (const key of (await listAll(env.s3, env.bucket, `gocontractor/${entity}/`)).filter((k) => k.endsWith('.jsonl.gz'))) {
    const body = await env.s3.send(new GetObjectCommand({ Bucket: env.bucket, Key: key }));
    for (const line of gunzipSync(Buffer.from(await body.Body!.transformToByteArray())).toString('utf-8').split('\n')) if (line) ids.push((JSON.parse(line) as { id: number }).id);
  }
  return ids.sort((a, b) => a - b);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('gocontractor-export through the local runtime', () => {
  it('pages workers and accounts to the end into JSON Lines with a manifest, each record once, under faults', async () => {
    env.gocontractor.sandbox.configure({ faults: { rate: 0.2, kinds: ['5xx', '429', 'reset'], retryAfterSeconds: 0, seed: 5 } });
    const run = await runPipeline('gocontractor-export', {});
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(await landedIds('workers')).toEqual(range(250));
    expect(await landedIds('accounts')).toEqual(range(40));
    const manifest = (await listAll(env.s3, env.bucket, 'gocontractor/workers/')).find((k) => k.endsWith('_manifest.json'))!;
    expect(JSON.parse(await getText(env.s3, env.bucket, manifest))).toMatchObject({ entity: 'workers', records: 250 });
    expect(env.gocontractor.sandbox.requests.some((r) => r.fault)).toBe(true);
    expect(logLines.join('\n')).not.toContain(GC_SANDBOX_KEY);
  });

  it('lands ids beyond 2^53 with the digits the server wrote, each record once', async () => {
    env.gocontractor.sandbox.configure({ int64Ids: true });
    const run = await runPipeline('gocontractor-export', { entities: ['workers'] });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    const landed = (await landedTexts(env.s3, env.bucket, 'gocontractor/workers/', 'id')).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    expect(landed).toEqual(Array.from({ length: 250 }, (_, i) => int64IdText(i)));
  });

  it('says what to check on a 403, and never prints the key', async () => {
    env.gocontractor.sandbox.configure({ forbidden: true });
    const run = await runPipeline('gocontractor-export', { entities: ['workers'] });
    expect(run.error).toBe('GoContractor.AuthorizationFailed');
    expect(run.cause).toMatch(/HTTP 403.*key is active and not past its expiry date.*scoped to the projects.*Can Read Qualification Data/);
    expect(run.cause).not.toContain(GC_SANDBOX_KEY);
  });

  it('warns of a key that expires within the warning window, and refuses an expired one', async () => {
    // Calendar days in the district's zone; the key works through its expiry date.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: process.env.TIME_ZONE }).format(Date.now());
    const inThree = new Date(Date.parse(`${today}T12:00:00Z`) + 3 * 86_400_000).toISOString().slice(0, 10);
    for (const [expiresOn, words] of [[inThree, 'in 3 days'], [today, 'today (the last day it works)']]) {
      env.secrets.set(GOCONTRACTOR_SECRET_ID, { apiKey: GC_SANDBOX_KEY, expiresOn: expiresOn! });
      const run = await runPipeline('gocontractor-export', { entities: ['accounts'] });
      expect(run.status, run.cause).toBe('SUCCEEDED');
      expect((run.output as { warnings: string[] }).warnings[0]).toBe(`The GoContractor API key expires on ${expiresOn}, ${words}: renew it in Settings › API Integrations.`);
    }
    env.secrets.set(GOCONTRACTOR_SECRET_ID, { apiKey: GC_SANDBOX_KEY, expiresOn: '2020-01-01' });
    const expired = await runPipeline('gocontractor-export', { entities: ['accounts'] });
    expect(expired.error).toBe('GoContractor.AuthorizationFailed');
    expect(expired.cause).toContain('expired on 2020-01-01');
  });

  it('rejects an unknown entity before any request', async () => {
    const before = env.gocontractor.sandbox.requests.length;
    const run = await runPipeline('gocontractor-export', { entities: ['projects'] });
    expect(run.error).toBe('Etl.InvalidInput');
    expect(run.cause).toMatch(/entities must be a non-empty list of workers, accounts/);
    expect(env.gocontractor.sandbox.requests.length).toBe(before);
  });

  it('stops naming the page when nextPage is not after the current one, instead of writing the same records forever', async () => {
    env.gocontractor.sandbox.configure({ repeatPageAfter: 2 });
    const run = await runPipeline('gocontractor-export', { entities: ['workers'] });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('GoContractor.UnexpectedResponse');
    expect(run.cause).toContain('page 2 answered nextPage 2, which is not after it');
    // What the server served before the loop is all there is: three pages were asked for, no more.
    expect(env.gocontractor.sandbox.requests.filter((r) => r.path.endsWith('/Worker')).length).toBeLessThanOrEqual(4);
    expect((await listAll(env.s3, env.bucket, 'gocontractor/workers/')).filter((k) => k.endsWith('_manifest.json'))).toEqual([]);
  });

  it('pages to the end on numPages alone when answers leave nextPage out, counting the pages', async () => {
    env.gocontractor.sandbox.configure({ omitNextPage: true });
    const run = await runPipeline('gocontractor-export', {});
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(await landedIds('workers')).toEqual(range(250));
    const workers = (run.output as { entities: Array<{ entity: string; pages: number }> }).entities.find((e) => e.entity === 'workers')!;
    expect(workers.pages).toBe(5);
  });
});
