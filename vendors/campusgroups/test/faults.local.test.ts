import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityJob } from '../export.js';
import type { ExportSummary } from '../summary.js';
import { runPipeline } from '../../../local/runner.js';
import { SANDBOX_SCHOOL } from '../sandbox/server.js';
import { deleteAll, landedIds, sorted, startEnv } from '../../../test/helpers/local.js';

// Faults: every record the sandbox serves must land exactly once. Compared as id sets, in order.
const ENTITIES = ['events', 'rsvp', 'users', 'payments', 'checkins'];
const PER_ENTITY = 21_000;
const RANGE = { updatedStart: '2025-01-01T00:00:00Z', updatedEnd: '2025-12-31T23:59:59Z' };
let env: Awaited<ReturnType<typeof startEnv>>;

beforeAll(async () => {
  env = await startEnv({
    campusgroups: { data: { recordsPerEntity: PER_ENTITY, start: '2025-01-01T00:00:00Z', end: '2025-12-31T00:00:00Z' }, pollsBeforeReady: 1 },
  });
});
afterAll(async () => {
  await env?.stop();
});

async function expectEachRecordOnce(entities: string[]) {
  const sandbox = env.campusgroups.sandbox!;
  for (const entity of entities) {
    const landed = sorted(await landedIds(env.s3, env.bucket, SANDBOX_SCHOOL, entity));
    expect(landed, entity).toEqual(sandbox.expectedIds(entity, RANGE.updatedStart, RANGE.updatedEnd));
  }
}

describe('campusgroups-export under faults', () => {
  it('lands 105,000 records exactly once with 10% of answers faulted (5xx, 429, resets mid-body)', async () => {
    const sandbox = env.campusgroups.sandbox!;
    sandbox.requests.length = 0;
    sandbox.configure({ faults: { rate: 0.1, kinds: ['5xx', '429', 'reset'], retryAfterSeconds: 1, seed: 2026 } });
    const run = await runPipeline('campusgroups-export', { ...RANGE, entities: ENTITIES, windowDays: 100, maxPagesPerInvocation: 4 });
    sandbox.configure({ faults: { rate: 0 } });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect((run.output as ExportSummary).totals.records).toBe(ENTITIES.length * PER_ENTITY);

    const faulted = sandbox.requests.filter((r) => r.fault);
    expect(faulted.length).toBeGreaterThan(sandbox.requests.length * 0.05);
    for (const kind of ['5xx', '429', 'reset']) expect(faulted.some((r) => r.fault === kind), kind).toBe(true);
    expect(sandbox.requests.some((r) => r.fault === 'reset' && r.method === 'GET' && r.status === -1)).toBe(true);
    await expectEachRecordOnce(ENTITIES);
  });

  it('resumes a Lambda that died after writing parts, and still lands each record once', async () => {
    await deleteAll(env.s3, env.bucket, 'campusgroups/');
    let died = 0;
    const run = await runPipeline(
      'campusgroups-export',
      { ...RANGE, entities: ['events', 'users'], windowDays: 366, maxPagesPerInvocation: 3 },
      {
        hooks: {
          // Every fourth invocation does all its work (a part written to S3), then dies before
          // returning, as a Lambda killed by its timeout or an out-of-memory error would.
          ExportPages: async (invoke, input, attempt) => {
            const out = (await invoke()) as EntityJob;
            if (attempt % 4 === 0) {
              died++;
              const error = new Error(`local test: ${(input as EntityJob).entity} died after writing part ${(input as EntityJob).segment.part}`);
              error.name = 'Lambda.Unknown';
              throw error;
            }
            return out;
          },
        },
      },
    );
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(died).toBeGreaterThan(3);
    await expectEachRecordOnce(['events', 'users']);
  });
});
