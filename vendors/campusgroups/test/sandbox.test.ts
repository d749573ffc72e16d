import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampusGroupsSandbox, SANDBOX_SCHOOL, SANDBOX_SECRET } from '../sandbox/server.js';
import { isoOf, recordAt, updatedOnMs } from '../sandbox/data.js';
import { ENTITIES } from '../entities.js';

// The sandbox must behave like the Data Export API document, or the pipeline's tests prove nothing.
const sandbox = new CampusGroupsSandbox({
  data: { recordsPerEntity: 2500, start: '2025-01-01T00:00:00Z', end: '2025-12-31T00:00:00Z' },
  pollsBeforeReady: 2,
});
let base = '';
const headers = { 'X-CG-School': SANDBOX_SCHOOL, 'X-CG-API-Secret': SANDBOX_SECRET };
const query = async (entity: string, params: string, h: Record<string, string> = headers) => {
  const res = await fetch(`${base}/${entity}?${params}`, { method: 'POST', headers: h });
  return { status: res.status, body: (await res.json()) as { queryId?: string; message?: string } };
};
const get = async (entity: string, params: string) => {
  const res = await fetch(`${base}/${entity}?${params}`, { headers });
  return { status: res.status, body: (await res.json()) as { Results?: Array<{ id: number; updatedOn: string }>; NextToken?: string; message?: string } };
};

beforeAll(async () => {
  base = await sandbox.start();
});
afterAll(async () => {
  await sandbox.stop();
});

describe('CampusGroups sandbox', () => {
  it('answers 202 while the query runs, then pages of at most 999 with NextToken until the end', async () => {
    const { body } = await query('events', 'updatedStart=2025-01-01&updatedEnd=2025-12-31');
    const id = body.queryId!;
    expect((await get('events', `queryId=${id}`)).status).toBe(202);
    expect((await get('events', `queryId=${id}`)).status).toBe(202);
    const ids: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await get('events', `queryId=${id}${token ? `&token=${token}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.Results!.length).toBeLessThanOrEqual(999);
      ids.push(...page.body.Results!.map((r) => r.id));
      token = page.body.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(ids).toEqual(sandbox.expectedIds('events', '2025-01-01T00:00:00Z', '2025-12-31T23:59:59Z'));
  });

  it('filters by updatedOn with both bounds inclusive and honours size', async () => {
    sandbox.configure({ pollsBeforeReady: 0 });
    const { body } = await query('users', 'updatedStart=2025-03-01T00:00:00Z&updatedEnd=2025-03-31T23:59:59Z');
    const page = await get('users', `queryId=${body.queryId}&size=50`);
    expect(page.body.Results).toHaveLength(50);
    for (const r of page.body.Results!) expect(r.updatedOn >= '2025-03-01T00:00:00Z' && r.updatedOn <= '2025-03-31T23:59:59Z').toBe(true);
    expect((await get('users', `queryId=${body.queryId}&size=1000`)).status).toBe(400);
    sandbox.configure({ pollsBeforeReady: 2 });
  });

  it('says which credential is wrong with a 401', async () => {
    const school = await query('events', 'updatedStart=2025-01-01&updatedEnd=2025-01-02', { ...headers, 'X-CG-School': 'other' });
    expect(school).toEqual({ status: 401, body: { message: "Unknown school code 'other'" } });
    const secret = await query('events', 'updatedStart=2025-01-01&updatedEnd=2025-01-02', { ...headers, 'X-CG-API-Secret': 'nope' });
    expect(secret).toEqual({ status: 401, body: { message: `Invalid API secret for school '${SANDBOX_SCHOOL}'` } });
  });

  it('knows the 23 entities and no others, and wants both dates', async () => {
    expect((await query('students', 'updatedStart=2025-01-01&updatedEnd=2025-01-02')).status).toBe(404);
    expect((await query('checklist_items', 'updatedStart=2025-01-01')).status).toBe(400);
  });

  it('serves the same records for the same window every time', async () => {
    sandbox.configure({ pollsBeforeReady: 0 });
    const a = await get('rsvp', `queryId=${(await query('rsvp', 'updatedStart=2025-06-01&updatedEnd=2025-06-30')).body.queryId}&size=5`);
    const b = await get('rsvp', `queryId=${(await query('rsvp', 'updatedStart=2025-06-01&updatedEnd=2025-06-30')).body.queryId}&size=5`);
    expect(a.body.Results).toEqual(b.body.Results);
    sandbox.configure({ pollsBeforeReady: 2 });
  });
});

describe('CampusGroups sandbox records', () => {
  // The records are built field by field for speed; their dates must still be what Date writes.
  const dateOf = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

  it('writes every date as toISOString does, without milliseconds when they are 0', () => {
    const samples = [0, -1, -1000, -86_400_000 * 400 + 123, 951_782_400_000, Date.parse('2024-02-29T23:59:59.999Z'), 253_402_300_799_000, 253_402_300_800_000, 8.64e15];
    for (let ms = Date.parse('2023-12-31T22:00:00Z'); ms < Date.parse('2024-01-01T02:00:00Z'); ms += 61_001) samples.push(ms);
    for (const ms of samples) expect([ms, isoOf(ms)]).toEqual([ms, dateOf(ms)]);
  });

  it('puts id first and the two dates last, and derives both dates from updatedOnMs, in either precision', () => {
    for (const precision of ['seconds', 'milliseconds'] as const) {
      const shape = { recordsPerEntity: 1000, start: '2025-01-01T00:00:00Z', end: '2025-01-05T00:00:00Z', precision };
      for (const entity of ENTITIES) {
        for (const i of [0, 1, 249, 250, 999]) {
          const record = recordAt(shape, entity, i);
          const keys = Object.keys(record);
          const updated = updatedOnMs(shape, entity, i);
          expect([keys[0], ...keys.slice(-2)]).toEqual(['id', 'createdOn', 'updatedOn']);
          expect(record).toMatchObject({ id: i + 1, updatedOn: dateOf(updated), createdOn: dateOf(updated - ((i * 7919) % 864_000) * 1000) });
        }
      }
    }
  });
});

describe('CampusGroups sandbox records after a change of shape', () => {
  it('follows a shape changed in place (as configure() changes the precision)', () => {
    const shape: { recordsPerEntity: number; start: string; end: string; precision?: 'seconds' | 'milliseconds' } = { recordsPerEntity: 1000, start: '2025-01-01T00:00:00Z', end: '2025-01-05T00:00:00Z' };
    const seconds = recordAt(shape, 'events', 10).updatedOn;
    shape.precision = 'milliseconds';
    const millis = recordAt(shape, 'events', 10).updatedOn;
    expect([seconds, millis]).toEqual(['2025-01-01T00:57:39Z', '2025-01-01T23:59:59.310Z']);
    shape.recordsPerEntity = 10;
    expect(recordAt(shape, 'events', 9).updatedOn).toBe('2025-01-04T23:59:59.250Z');
  });
});
