import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../delivery.js';
import { runPipeline } from '../../../local/runner.js';
import { sampleDelivery } from '../sandbox/sample-batch.js';
import { putBatch, startEnv } from '../../../test/helpers/local.js';

// Transport is deployment configuration, read once per container: this file's handlers see "direct".
let env: Awaited<ReturnType<typeof startEnv>>;

beforeAll(async () => {
  env = await startEnv({}, { samegoal: { settings: { transport: 'direct' }, secret: {} } });
});
afterAll(async () => {
  await env?.stop();
});

describe('samegoal-delivery over the direct transport', () => {
  it('does every step over SFTP from the Lambda, with no connector, COMPLETE last', async () => {
    await putBatch(env.s3, env.bucket, 'direct-1', sampleDelivery(100), 'samegoal');
    const run = await runPipeline('samegoal-delivery', { batch: 'direct-1' });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    const d = run.output as Delivery;
    expect(d.transport).toBe('direct');
    expect(env.samegoal.transfer.calls).toEqual([]);
    expect(readdirSync(join(env.samegoal.root!, d.remoteDir)).sort()).toEqual(['COMPLETE', 'guardians.csv', 'students.csv']);
    const writes = env.samegoal.sftp!.ops.filter((o) => o.op === 'close-write');
    expect(writes.at(-1)).toMatchObject({ path: `${d.remoteDir}/COMPLETE`, bytes: 0 });
  });
});
