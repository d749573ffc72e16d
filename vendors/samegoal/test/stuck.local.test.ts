import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../../local/runner.js';
import { putBatch, startEnv } from '../../../test/helpers/local.js';
import { sampleDelivery } from '../sandbox/sample-batch.js';

// Settings are read once per Lambda container (and so once per process here): this file's
// handlers see a small maxTransferChecks.
let env: Awaited<ReturnType<typeof startEnv>>;

beforeAll(async () => {
  env = await startEnv({}, { samegoal: { settings: { maxTransferChecks: 4 }, secret: {} } });
});
afterAll(async () => {
  await env?.stop();
});

describe('samegoal-delivery when the connector never finishes', () => {
  it('stops after maxTransferChecks with SameGoal.TransferStuck through the failure report, and sends no COMPLETE', async () => {
    await putBatch(env.s3, env.bucket, 'stuck-1', sampleDelivery(20), 'samegoal');
    env.samegoal.transfer.stall = true;
    const run = await runPipeline('samegoal-delivery', { batch: 'stuck-1' });
    expect(run.status).toBe('FAILED');
    expect(run.error, run.cause).toBe('SameGoal.TransferStuck');
    expect(run.cause).toMatch(/After 4 checks the connector c-0123456789abcdef0 had not finished: guardians\.csv QUEUED, students\.csv QUEUED/);
    expect(run.cause).toContain('with no COMPLETE, so SameGoal will not process it');
    expect(env.samegoal.transfer.calls.filter((c) => c === 'ListFileTransferResults').length).toBe(4);
    const dirs = readdirSync(join(env.samegoal.root!, 'upload'));
    for (const d of dirs) expect(readdirSync(join(env.samegoal.root!, 'upload', d))).not.toContain('COMPLETE');
  });
});
