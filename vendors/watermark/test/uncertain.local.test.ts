import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runPipeline } from '../../../local/runner.js';
import { getText, putBatch, startEnv } from '../../../test/helpers/local.js';
import { sampleBatch } from '../sandbox/sample-batch.js';

// Once the whole ZIP is out, an answer that does not prove there is no import is "uncertain":
// recorded, never sent again without "force". Each case counts the imports the server made.
let env: Awaited<ReturnType<typeof startEnv>>;
const good = sampleBatch(40);
let n = 0;

beforeAll(async () => {
  env = await startEnv({ watermark: { pollsBeforeDone: 1 } });
});
afterAll(async () => {
  await env?.stop();
});
beforeEach(() => {
  env.watermark.sandbox!.configure({ faults: { rate: 0 }, afterAccept: null, pendingWord: 'In Progress', pollsBeforeDone: 1 });
});

const importsOf = (batch: string) => env.watermark.sandbox!.imports.filter((i) => i.fileName === `${batch}.zip`).length;
const receipt = async (batch: string) => JSON.parse(await getText(env.s3, env.bucket, `state/watermark/${batch}/receipt.json`)) as { status: string; statusMessage?: string };

describe('watermark-import when the answer to a fully sent upload is unclear', () => {
  it.each(['504', 'no-id', 'not-json', 'reset'] as const)('%s after Watermark took the ZIP: one import, the run fails uncertain, a rerun sends nothing', async (mode) => {
    const batch = `uncertain-${mode}-${++n}`;
    await putBatch(env.s3, env.bucket, batch, good);
    env.watermark.sandbox!.configure({ afterAccept: { mode, times: 1 } });
    const run = await runPipeline('watermark-import', { batch });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('Watermark.SubmitUncertain');
    expect(run.cause).toContain('Data Transactions › Bulk Imports');
    expect(run.cause).toContain(`Batch '${batch}': whether its ZIP went out is in its receipt, state/watermark/${batch}/receipt.json.`);
    expect(importsOf(batch)).toBe(1);
    expect((await receipt(batch)).status).toBe('Uncertain');

    const again = await runPipeline('watermark-import', { batch });
    expect(again.error).toBe('Watermark.SubmitUncertain');
    expect(again.cause).toMatch(/not sent again: its upload at .* ended uncertain/);
    expect(again.cause).toContain('"force": true');
    expect(importsOf(batch)).toBe(1);
    expect((await receipt(batch)).status).toBe('Uncertain');
  });

  it('sends again only when forced, and then finishes', async () => {
    const batch = `uncertain-forced-${++n}`;
    await putBatch(env.s3, env.bucket, batch, good);
    env.watermark.sandbox!.configure({ afterAccept: { mode: '504', times: 1 } });
    expect((await runPipeline('watermark-import', { batch })).error).toBe('Watermark.SubmitUncertain');
    const forced = await runPipeline('watermark-import', { batch, force: true });
    expect(forced.status, forced.cause).toBe('SUCCEEDED');
    expect(importsOf(batch)).toBe(2);
    expect((await receipt(batch)).status).toBe('Completed');
  });

  it('reads "Pending" as not done yet, as the document\'s Basics section words it', async () => {
    const batch = `pending-${++n}`;
    await putBatch(env.s3, env.bucket, batch, good);
    env.watermark.sandbox!.configure({ pendingWord: 'Pending', pollsBeforeDone: 2 });
    const run = await runPipeline('watermark-import', { batch });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(importsOf(batch)).toBe(1);
  });
});

describe('watermark-import with two executions of one batch at once', () => {
  it('imports once: the second execution ends Etl.AlreadyRunning naming the first, and sends nothing', async () => {
    const batch = `race-${++n}`;
    await putBatch(env.s3, env.bucket, batch, good);
    const requestsBefore = env.watermark.sandbox!.requests.length;
    const [a, b] = await Promise.all([
      runPipeline('watermark-import', { batch }, { executionName: `${batch}-first` }),
      runPipeline('watermark-import', { batch }, { executionName: `${batch}-second` }),
    ]);
    const runs = [a, b];
    expect(runs.filter((r) => r.status === 'SUCCEEDED')).toHaveLength(1);
    const loser = runs.find((r) => r.status === 'FAILED')!;
    expect(loser.error).toBe('Etl.AlreadyRunning');
    expect(loser.cause).toMatch(new RegExp(`watermark/${batch} is being worked on by execution ${batch}-(first|second)`));
    expect(importsOf(batch)).toBe(1);
    expect(env.watermark.sandbox!.requests.length - requestsBefore).toBeGreaterThan(0);

    // Once the first has ended, the batch is free: a rerun finds the receipt and imports nothing.
    const rerun = await runPipeline('watermark-import', { batch });
    expect(rerun.status, rerun.cause).toBe('SUCCEEDED');
    expect(importsOf(batch)).toBe(1);
  });

  it('frees the batch when a run fails, so the fixed batch can run at once', async () => {
    const batch = `release-${++n}`;
    await putBatch(env.s3, env.bucket, batch, { ...good, 'person.csv': good['person.csv']!.replace('first_name', 'firstname') });
    const failed = await runPipeline('watermark-import', { batch });
    expect(failed.error).toBe('Watermark.ValidationFailed');
    await putBatch(env.s3, env.bucket, batch, good);
    const fixed = await runPipeline('watermark-import', { batch });
    expect(fixed.status, fixed.cause).toBe('SUCCEEDED');
    expect(importsOf(batch)).toBe(1);
  });
});
