import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENTITIES } from '../entities.js';
import type { ExportSummary } from '../summary.js';
import { runPipeline } from '../../../local/runner.js';
import { SANDBOX_SCHOOL, SANDBOX_SECRET } from '../sandbox/server.js';
import { CAMPUSGROUPS_SECRET_ID, deleteAll, getText, landedIds, listAll, logLines, sorted, startEnv } from '../../../test/helpers/local.js';

// The state machine file and handlers, unmodified, through the local runtime against s3rver and the sandbox.
const DATA = { recordsPerEntity: 600, start: '2025-01-01T00:00:00Z', end: '2025-12-31T23:59:59Z' };
let env: Awaited<ReturnType<typeof startEnv>>;

beforeAll(async () => {
  env = await startEnv({ campusgroups: { data: DATA, pollsBeforeReady: 3 } });
});
afterAll(async () => {
  await env?.stop();
});
beforeEach(() => {
  const sandbox = env.campusgroups.sandbox!;
  sandbox.requests.length = 0;
  sandbox.configure({ faults: { rate: 0 }, neverReady: [], pollsBeforeReady: 3 });
  env.secrets.set(CAMPUSGROUPS_SECRET_ID, { schoolCode: SANDBOX_SCHOOL, apiSecret: SANDBOX_SECRET });
});

const cursorsOf = async (school: string) => {
  const out: Record<string, string> = {};
  for (const key of await listAll(env.s3, env.bucket, `state/campusgroups/${school}/cursors/`)) {
    out[key] = (JSON.parse(await getText(env.s3, env.bucket, key)) as { cursor: string }).cursor;
  }
  return out;
};

describe('campusgroups-export through the local runtime', () => {
  it('backfills every entity by default, in windows, each record exactly once, with manifests and cursors', async () => {
    const input = { updatedStart: '2025-01-01', updatedEnd: '2025-12-31', windowDays: 120, maxPagesPerInvocation: 1, pageSize: 100 };
    const run = await runPipeline('campusgroups-export', input);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    const summary = run.output as ExportSummary;
    expect(summary.totals).toMatchObject({ entities: 23, succeeded: 23, failed: 0, records: 23 * 600 });

    const sandbox = env.campusgroups.sandbox!;
    for (const entity of ['events', 'checklist_items', 'users']) {
      expect(sorted(await landedIds(env.s3, env.bucket, SANDBOX_SCHOOL, entity))).toEqual(sandbox.expectedIds(entity, '2025-01-01T00:00:00Z', '2025-12-31T23:59:59Z'));
    }
    // 365 days in 120-day windows: 4 windows, each with its manifest naming its window and query.
    const keys = await listAll(env.s3, env.bucket, `campusgroups/${SANDBOX_SCHOOL}/events/`);
    const manifests = keys.filter((k) => k.endsWith('_manifest.json'));
    expect(manifests).toHaveLength(4);
    const manifest = JSON.parse(await getText(env.s3, env.bucket, manifests[0]!)) as Record<string, unknown>;
    expect(manifest).toMatchObject({ entity: 'events', window: { start: '2025-01-01T00:00:00Z', end: '2025-04-30T23:59:59Z' }, parts: 2 });
    expect(manifest.queryId).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys).toContain(`campusgroups/${SANDBOX_SCHOOL}/events/20250101T000000Z_20250430T235959Z/part-00001.jsonl.gz`);
    // Pages were asked for in the requested size, and each query was polled while it answered 202.
    expect(sandbox.requests.filter((r) => r.method === 'GET' && r.status === 202).length).toBe(23 * 4 * 3);
    const cursors = await cursorsOf(SANDBOX_SCHOOL);
    expect(Object.keys(cursors)).toHaveLength(23);
    expect(new Set(Object.values(cursors))).toEqual(new Set(['2025-12-31T23:59:59Z']));
    expect(logLines.some((l) => l.includes(SANDBOX_SECRET))).toBe(false);
  });

  it('rejects a wrong school code before any entity starts, saying so, and moves no cursor', async () => {
    const before = await cursorsOf('no-such-school');
    env.secrets.set(CAMPUSGROUPS_SECRET_ID, { schoolCode: 'no-such-school', apiSecret: SANDBOX_SECRET });
    const run = await runPipeline('campusgroups-export', { entities: ['events', 'users'] });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('CampusGroups.AuthenticationFailed');
    expect(run.cause).toContain("Unknown school code 'no-such-school'");
    expect(run.cause).toContain(`secret '${CAMPUSGROUPS_SECRET_ID}'`);
    const sandbox = env.campusgroups.sandbox!;
    expect(sandbox.requests).toHaveLength(1);
    expect(await cursorsOf('no-such-school')).toEqual(before);
  });

  it('rejects a wrong API secret, naming the secret as the problem but never its value', async () => {
    env.secrets.set(CAMPUSGROUPS_SECRET_ID, { schoolCode: SANDBOX_SCHOOL, apiSecret: 'fake-but-wrong-secret-value' });
    const run = await runPipeline('campusgroups-export', {});
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('CampusGroups.AuthenticationFailed');
    expect(run.cause).toContain('Invalid API secret');
    expect(run.cause).not.toContain('fake-but-wrong-secret-value');
    expect(logLines.some((l) => l.includes('fake-but-wrong-secret-value'))).toBe(false);
  });

  it.each([
    [{ entities: ['events', 'evnets'] }, /Unknown entity "evnets"/],
    [{ updatedStart: '2025-06-01', updatedEnd: '2025-05-01' }, /updatedStart "2025-06-01" is after updatedEnd "2025-05-01"/],
    [{ updatedStart: '06/01/2025' }, /updatedStart must be an ISO 8601 date.*"06\/01\/2025"/],
    [{ updatedStart: '2025-02-30' }, /updatedStart is not a real date: "2025-02-30"/],
    [{ windowDays: 0 }, /windowDays must be an integer from 1 to 366, got 0/],
  ])('rejects bad input %j before any request', async (input, message) => {
    const run = await runPipeline('campusgroups-export', input);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('Etl.InvalidInput');
    expect(run.cause).toMatch(message);
    expect(env.campusgroups.sandbox!.requests).toHaveLength(0);
  });

  it('fails a never-ready query naming the entity and query, after committing the other entities', async () => {
    env.campusgroups.sandbox!.configure({ neverReady: ['rsvp'], pollsBeforeReady: 1 });
    const run = await runPipeline('campusgroups-export', {
      entities: ['events', 'rsvp', 'users'],
      updatedStart: '2025-03-01',
      updatedEnd: '2025-03-31',
      queryReadyTimeoutSeconds: 1,
    });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('CampusGroups.QueryNeverReady');
    expect(run.cause).toMatch(/1 of 3 entities failed: rsvp \(CampusGroups\.QueryNeverReady: Query [0-9a-f-]{36} for entity 'rsvp' was still not ready/);
    expect(run.cause).toContain('The other 2 entities were exported and their cursors committed');
    const prefix = `campusgroups/${SANDBOX_SCHOOL}/`;
    expect((await listAll(env.s3, env.bucket, `${prefix}events/20250301T000000Z_20250331T235959Z/`)).some((k) => k.endsWith('_manifest.json'))).toBe(true);
    expect(await listAll(env.s3, env.bucket, `${prefix}rsvp/20250301T000000Z_20250331T235959Z/`)).toEqual([]);
  });

  it('ends a page loop that would not end at its cap, through the summary: the entity fails by name, nothing is committed, its lease is free', async () => {
    // After its first page, a vendor hands out a fresh next-page token with every page and no records: nothing repeats.
    const sandbox = env.campusgroups.sandbox!;
    sandbox.configure({ endlessAfter: 1, pollsBeforeReady: 1 });
    const input = { entities: ['tags'], updatedStart: '2025-03-01', updatedEnd: '2025-03-31', maxPagesPerInvocation: 2 };
    const before = await cursorsOf(SANDBOX_SCHOOL);
    let planned = 0;
    try {
      const run = await runPipeline('campusgroups-export', input, {
        hooks: {
          // The plan's cap for one entity is in the thousands; the test lowers it to keep the run short.
          PlanExport: async (invoke) => {
            const plan = (await invoke()) as { entities: Array<{ maxPageBatches: number }> };
            planned = plan.entities[0]!.maxPageBatches;
            for (const job of plan.entities) job.maxPageBatches = 6;
            return plan;
          },
        },
      });
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe('CampusGroups.TooManyPageBatches');
      expect(run.cause).toContain('1 of 1 entities failed: tags (CampusGroups.TooManyPageBatches: The export of tags took 6 page batches, the cap this run planned for one entity');
      // The server's own count: 6 batches of 2 pages, and not one page more.
      expect(sandbox.requests.filter((r) => r.method === 'GET' && r.entity === 'tags' && r.status === 200)).toHaveLength(12);
      expect(run.historyEvents).toBeLessThan(200);
      expect(planned).toBeGreaterThan(1000);
    } finally {
      sandbox.configure({ endlessAfter: 0 });
    }
    expect(await cursorsOf(SANDBOX_SCHOOL)).toEqual(before);
    expect((await listAll(env.s3, env.bucket, `campusgroups/${SANDBOX_SCHOOL}/tags/20250301T000000Z_20250331T235959Z/`)).filter((k) => k.endsWith('_manifest.json'))).toEqual([]);
    // The summary gave the entity up: the next run of it is not refused as already running.
    const again = await runPipeline('campusgroups-export', input);
    expect(again.status, again.cause).toBe('SUCCEEDED');
  });

  it("fails every unfinished entity with the map's own error when the Map state itself fails, and frees their leases", async () => {
    // A Task error no Catch inside the iteration takes (the test takes ExportPages' Catch away) fails the Map itself.
    const input = { entities: ['tags', 'rsvp'], updatedStart: '2025-03-01', updatedEnd: '2025-03-31' };
    const run = await runPipeline('campusgroups-export', input, {
      patchDefinition: (definition) => {
        const map = definition.States.ExportEntities as { ItemProcessor: { States: Record<string, { Catch?: unknown }> } };
        delete map.ItemProcessor.States.ExportPages!.Catch;
      },
      hooks: {
        ExportPages: async (invoke, taskInput) => {
          if ((taskInput as { entity: string }).entity === 'rsvp') throw Object.assign(new Error('the test broke this page'), { name: 'CampusGroups.UnexpectedResponse' });
          return invoke();
        },
      },
    });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('CampusGroups.UnexpectedResponse');
    expect(run.cause).toMatch(/^2 of 2 entities failed: tags \(CampusGroups\.UnexpectedResponse: the state machine's entity map stopped \(CampusGroups\.UnexpectedResponse: .*the test broke this page.*\) before this entity's result came back/);
    expect(run.cause).toContain('rsvp (CampusGroups.UnexpectedResponse');
    // The summary released both entities: an unbroken run of them is not refused as already running.
    const again = await runPipeline('campusgroups-export', input);
    expect(again.status, again.cause).toBe('SUCCEEDED');
    expect((again.output as ExportSummary).totals).toMatchObject({ entities: 2, succeeded: 2 });
  });

  it('takes at most 300 state transitions for a nightly run of all 23 entities with 3 polls each', async () => {
    // A first nightly run: no cursors, so one 48-hour window per entity.
    await deleteAll(env.s3, env.bucket, 'state/campusgroups/');
    const run = await runPipeline('campusgroups-export', {});
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(env.campusgroups.sandbox!.requests.filter((r) => r.status === 202)).toHaveLength(23 * 3);
    expect(run.transitions).toBeLessThanOrEqual(300);
    expect(run.transitions).toBeGreaterThan(23 * 5);
  });

  it('starts an incremental window at the cursor less the lookback and ends it at the run start', async () => {
    const run = await runPipeline('campusgroups-export', { entities: ['tags'], lookbackHours: 24 });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    const cursor = (run.output as ExportSummary).entities[0] as { cursor: string };
    const post = env.campusgroups.sandbox!.requests.filter((r) => r.method === 'POST');
    expect(post.length).toBe(2); // the credential check, then the query
    const committed = Date.parse(cursor.cursor);
    expect(Math.abs(committed - Date.now())).toBeLessThan(60_000);
    // The second run starts 24 h before the first run's cursor.
    const second = await runPipeline('campusgroups-export', { entities: ['tags'], lookbackHours: 24 });
    expect(second.status).toBe('SUCCEEDED');
    const windows = (await listAll(env.s3, env.bucket, `campusgroups/${SANDBOX_SCHOOL}/tags/`)).filter((k) => k.endsWith('_manifest.json'));
    const starts = await Promise.all(windows.map(async (k) => (JSON.parse(await getText(env.s3, env.bucket, k)) as { window: { start: string } }).window.start));
    expect(starts).toContain(new Date(committed - 24 * 3_600_000).toISOString().replace('.000Z', 'Z'));
  });
});

describe('entities', () => {
  it('are the 23 of the Data Export API', () => {
    expect(ENTITIES).toHaveLength(23);
  });
});
