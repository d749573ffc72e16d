import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runPipeline } from '../../../local/runner.js';
import { deleteAll, getText, landedIds, landedIdTexts, listAll, sorted, startEnv } from '../../../test/helpers/local.js';
import { int64IdText } from '../../../lambdas/sandbox/ids.js';
import { SANDBOX_SCHOOL } from '../sandbox/server.js';
import type { ExportSummary } from '../summary.js';

// Every reading of the CampusGroups document the sandbox can serve, and what each must land:
// each record the server has for the range, once — counted against the server's own data.
const START = '2025-01-01T00:00:00Z';
const END = '2025-12-31T23:59:59Z';
let env: Awaited<ReturnType<typeof startEnv>>;

beforeAll(async () => {
  env = await startEnv({ campusgroups: { data: { recordsPerEntity: 700, start: START, end: END }, pollsBeforeReady: 0 } });
});
afterAll(async () => {
  await env?.stop();
});
beforeEach(async () => {
  env.campusgroups.sandbox!.configure({ tokenField: 'NextToken', boundary: 'instant', precision: 'seconds', emptyPageEvery: 0, repeatTokenAfter: 0, faults: { rate: 0 } });
  await deleteAll(env.s3, env.bucket, 'campusgroups/');
  await deleteAll(env.s3, env.bucket, 'state/campusgroups/');
});

const exportAll = (extra: Record<string, unknown> = {}) =>
  runPipeline('campusgroups-export', { updatedStart: '2025-01-01', updatedEnd: '2025-12-31', entities: ['events', 'users'], pageSize: 50, windowDays: 30, ...extra });

async function expectEveryRecordOnce(entity: string) {
  const landed = sorted(await landedIds(env.s3, env.bucket, SANDBOX_SCHOOL, entity));
  const expected = env.campusgroups.sandbox!.expectedIds(entity, START, END);
  expect(landed.length, `${entity}: landed ${landed.length}, the server has ${expected.length}`).toBe(expected.length);
  expect(landed).toEqual(expected);
}

describe('campusgroups-export against every reading of the document', () => {
  it.each(['NextToken', 'nextToken'] as const)('follows the next-page token spelled %s to the end', async (tokenField) => {
    env.campusgroups.sandbox!.configure({ tokenField });
    const run = await exportAll();
    expect(run.status, run.cause).toBe('SUCCEEDED');
    await expectEveryRecordOnce('events');
    await expectEveryRecordOnce('users');
  });

  it.each([
    ['instant', 'milliseconds'],
    ['whole-seconds', 'milliseconds'],
    ['whole-seconds', 'seconds'],
  ] as const)('loses and repeats nothing at window edges when bounds compare as %s and updatedOn has %s', async (boundary, precision) => {
    env.campusgroups.sandbox!.configure({ boundary, precision });
    const run = await exportAll();
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect((run.output as ExportSummary).totals.records).toBe(1400);
    await expectEveryRecordOnce('events');
    await expectEveryRecordOnce('users');
  });

  it('lands 64-bit ids with the digits the server wrote, each record once, across window edges', async () => {
    // The document's Results sample is an empty list: nothing bounds an id, and beyond 2^53 a
    // double changes it (2^53 + 1 would land as 2^53, the id of another record).
    const data = env.campusgroups.sandbox!.options.data;
    env.campusgroups.sandbox!.configure({ precision: 'milliseconds' });
    data.ids = 'int64';
    try {
      const run = await exportAll();
      expect(run.status, run.cause).toBe('SUCCEEDED');
      for (const entity of ['events', 'users']) {
        const landed = (await landedIdTexts(env.s3, env.bucket, SANDBOX_SCHOOL, entity)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
        const expected = env.campusgroups.sandbox!.expectedIds(entity, START, END).map((id) => int64IdText(id - 1));
        expect(landed.length, `${entity}: landed ${landed.length}, the server has ${expected.length}`).toBe(expected.length);
        expect(landed).toEqual(expected);
      }
    } finally {
      data.ids = 'small';
    }
  });

  it('reads an empty page that carries a token as more to come, not the end', async () => {
    env.campusgroups.sandbox!.configure({ emptyPageEvery: 2 });
    const run = await exportAll();
    expect(run.status, run.cause).toBe('SUCCEEDED');
    await expectEveryRecordOnce('events');
  });

  it('fails the entity naming what it saw when the server answers the same token again, and moves no cursor', async () => {
    env.campusgroups.sandbox!.configure({ repeatTokenAfter: 2 });
    const run = await exportAll({ entities: ['events'], windowDays: 366 });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('CampusGroups.UnexpectedResponse');
    expect(run.cause).toMatch(/entity events, query [0-9a-f-]{36}: the next-page cursor sha256:\S+ was already followed/);
    expect(await listAll(env.s3, env.bucket, `state/campusgroups/${SANDBOX_SCHOOL}/cursors/events.json`)).toEqual([]);
  });

  it('fails naming the field when the token comes under a name the document does not use, instead of stopping at page one', async () => {
    env.campusgroups.sandbox!.configure({ tokenField: 'continuationToken' });
    const run = await exportAll({ entities: ['events'] });
    expect(run.error).toBe('CampusGroups.UnexpectedResponse');
    expect(run.cause).toContain("'continuationToken'");
    const summary = JSON.parse(JSON.stringify(run)) as { cause: string };
    expect(summary.cause).not.toContain('succeeded');
    expect((await listAll(env.s3, env.bucket, `campusgroups/${SANDBOX_SCHOOL}/events/`)).filter((k) => k.endsWith('_manifest.json'))).toEqual([]);
    void getText;
  });

  it('exports an entity once when two backfills of it start together: the second ends Etl.AlreadyRunning and writes nothing', async () => {
    const input = { updatedStart: '2025-01-01', updatedEnd: '2025-12-31', entities: ['events'], pageSize: 50, windowDays: 60 };
    const runs = await Promise.all([
      runPipeline('campusgroups-export', input, { executionName: 'overlap-a' }),
      runPipeline('campusgroups-export', input, { executionName: 'overlap-b' }),
    ]);
    expect(runs.filter((r) => r.status === 'SUCCEEDED')).toHaveLength(1);
    const loser = runs.find((r) => r.status === 'FAILED')!;
    expect(loser.error).toBe('Etl.AlreadyRunning');
    expect(loser.cause).toMatch(/campusgroups\/demo-college\/events is being worked on by execution overlap-(a|b)/);
    await expectEveryRecordOnce('events');
    // Every manifest names parts that are there.
    const keys = await listAll(env.s3, env.bucket, `campusgroups/${SANDBOX_SCHOOL}/events/`);
    for (const m of keys.filter((k) => k.endsWith('_manifest.json'))) {
      const manifest = JSON.parse(await getText(env.s3, env.bucket, m)) as { partKeys: string[] };
      for (const part of manifest.partKeys) expect(keys).toContain(part);
    }
    // The entity is free again once the winner has ended.
    const after = await exportAll({ entities: ['events'] });
    expect(after.status, after.cause).toBe('SUCCEEDED');
  });
});
