import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ImportRun } from '../pipeline.js';
import { runPipeline } from '../../../local/runner.js';
import { sampleBatch } from '../sandbox/sample-batch.js';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../sandbox/server.js';
import { WATERMARK_SECRET_ID, deleteAll, getText, logLines, putBatch, startEnv } from '../../../test/helpers/local.js';

let env: Awaited<ReturnType<typeof startEnv>>;
const good = sampleBatch(300);
let n = 0;
/** A fresh batch name per test, so receipts from one test never meet another. */
const nextBatch = () => `batch-${++n}`;

beforeAll(async () => {
  env = await startEnv({ watermark: { pollsBeforeDone: 2 } });
});
afterAll(async () => {
  await env?.stop();
});
beforeEach(() => {
  const sandbox = env.watermark.sandbox!;
  sandbox.configure({ faults: { rate: 0 }, pollsBeforeDone: 2, neverFinish: false, tokenLifetimeSeconds: 86_400 });
  env.secrets.set(WATERMARK_SECRET_ID, { clientId: SANDBOX_CLIENT_ID, clientSecret: SANDBOX_CLIENT_SECRET });
});

const importsOf = (batch: string) => env.watermark.sandbox!.imports.filter((i) => i.fileName === `${batch}.zip`);

async function expectRefused(files: Record<string, string | Uint8Array>, ...messages: Array<string | RegExp>) {
  const batch = nextBatch();
  await putBatch(env.s3, env.bucket, batch, files);
  const before = env.watermark.sandbox!.requests.length;
  const run = await runPipeline('watermark-import', { batch });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('Watermark.ValidationFailed');
  for (const m of messages) expect(run.cause).toMatch(m);
  expect(run.cause).toContain('nothing was sent to Watermark');
  expect(run.cause).toMatch(new RegExp(`Batch '${batch}': no import was submitted\\.$`));
  // Nothing left the account: not even a token request.
  expect(env.watermark.sandbox!.requests.length).toBe(before);
  return run.cause!;
}

describe('watermark-import through the local runtime', () => {
  it('validates, zips, authorises, submits with an exact Content-Length, polls to Completed and writes a receipt', async () => {
    const batch = nextBatch();
    await putBatch(env.s3, env.bucket, batch, good);
    const run = await runPipeline('watermark-import', { batch });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    const out = run.output as ImportRun;
    expect(out.status).toBe('Completed');
    const [imp] = importsOf(batch);
    expect(imp!.files.map((f) => [f.name, f.type])).toEqual(out.files!.map((f) => [f.name, `${f.type === 'person' ? 'person' : f.type}.csv`]));
    expect(env.watermark.sandbox!.requests.some((r) => r.chunked)).toBe(false);
    const receipt = JSON.parse(await getText(env.s3, env.bucket, `state/watermark/${batch}/receipt.json`)) as Record<string, unknown>;
    expect(receipt).toMatchObject({ batch, importId: out.importId, status: 'Completed', zip: { sha256: out.zip!.sha256, bytes: out.zip!.bytes } });
    expect((receipt.files as Array<{ name: string; rows: number }>).find((f) => f.name === 'person.csv')?.rows).toBe(300);
    // Files go into the ZIP in Watermark's load order.
    expect(imp!.files.map((f) => f.name)).toEqual(['organizations.csv', 'programs.csv', 'person.csv', 'terms.csv', 'courses.csv', 'sections.csv', 'enrollments.csv', 'roles.csv']);
    expect(logLines.join('\n')).not.toContain(SANDBOX_CLIENT_SECRET);
  });

  it('does not import a finished batch again when it runs again', async () => {
    const batch = nextBatch();
    await putBatch(env.s3, env.bucket, batch, { 'roles.csv': good['roles.csv']! });
    expect((await runPipeline('watermark-import', { batch })).status).toBe('SUCCEEDED');
    const again = await runPipeline('watermark-import', { batch });
    expect(again.status).toBe('SUCCEEDED');
    expect((again.output as ImportRun).phase).toBe('done');
    expect(importsOf(batch)).toHaveLength(1);
    const forced = await runPipeline('watermark-import', { batch, force: true });
    expect(forced.status).toBe('SUCCEEDED');
    expect(importsOf(batch)).toHaveLength(2);
  });

  it('refuses a misspelled header, naming the closest type and the columns that differ', async () => {
    await expectRefused(
      { 'people.csv': good['person.csv']!.replace('last_name', 'lastname') },
      /people\.csv line 1: the header matches no Watermark import type, so Watermark would skip the file; closest is 'person' \(person\.csv\): missing 'last_name'; unexpected 'lastname'/,
    );
  });

  it('refuses a missing column', async () => {
    await expectRefused({ 'terms.csv': 'term_id,name,start_date\r\n2026FA,Fall 2026,2026-08-24\r\n' }, /terms\.csv line 1: .*closest is 'terms' \(terms\.csv\): missing 'end_date'/);
  });

  it('refuses an extra file of no known type, and a file that is not a CSV', async () => {
    await expectRefused(
      { 'roles.csv': good['roles.csv']!, 'parking_permits.csv': 'permit_no,plate\r\n1,ABC123\r\n', 'notes.txt': 'hello' },
      /parking_permits\.csv line 1: the header matches no Watermark import type/,
      /notes\.txt: is not a CSV file/,
    );
  });

  it('refuses two files of one type', async () => {
    await expectRefused({ 'roles.csv': good['roles.csv']!, 'roles-extra.csv': good['roles.csv']! }, /roles-extra\.csv and roles\.csv: are all 'roles' files/);
  });

  it('refuses an empty file and lists every problem of the batch, not just the first', async () => {
    const cause = await expectRefused(
      {
        'courses.csv': good['courses.csv']!.replace('BIO201', 'BIO"201'),
        'empty.csv': '',
        'person.csv': new Uint8Array([...new TextEncoder().encode('person_id,first_name,last_name,email,username,status\r\nS1,Ren'), 0xe9, ...new TextEncoder().encode(',X,x@e.edu,x,active\r\n')]),
      },
      /courses\.csv line 3, column 'course_catalog_code': has a quote inside an unquoted field/,
      /empty\.csv: is empty/,
      /person\.csv line 2: is not UTF-8 \(byte 0xe9\)/,
    );
    expect(cause).toMatch(/has 3 problems/);
  });

  it('refuses a unique id twice in its file (roles: person and product together) and control characters', async () => {
    const [header, first, ...rest] = good['person.csv']!.split('\r\n');
    const roles = good['roles.csv']!.split('\r\n');
    const cause = await expectRefused(
      {
        // 4,993,220 rows of one person_id would zip to 610 KB; the same mistake, small.
        'person.csv': [header, first, ...rest.slice(0, 5), first, first, ''].join('\r\n'),
        // A person with two products is fine; the same person and product twice is not.
        'roles.csv': [...roles.slice(0, 3), roles[1]!.replace('SLL', 'PSS'), roles[2], ''].join('\r\n'),
        'terms.csv': 'term_id,name,start_date,end_date\r\n2026FA,Fall\u0000 2026,2026-08-24,2026-12-18\r\n',
      },
      "person.csv line 8, column 'person_id': has the same value as line 2; person_id identifies a row of a 'person' file",
      "person.csv line 9, column 'person_id': has the same value as line 2",
      "roles.csv line 5, column 'person_id + product': has the same value as line 3; person_id and product together identify a row of a 'roles' file",
      /terms\.csv line 2, column 'name': has the control character U\+0000 \(NUL\)/,
    );
    expect(cause).toMatch(/has 4 problems/);
  });

  it('gets a fresh token when it expires between submit and poll', async () => {
    const batch = nextBatch();
    await putBatch(env.s3, env.bucket, batch, { 'roles.csv': good['roles.csv']! });
    const sandbox = env.watermark.sandbox!;
    const run = await runPipeline('watermark-import', { batch }, {
      hooks: {
        PollStatus: async (invoke, _input, attempt) => {
          if (attempt === 1) sandbox.expireTokens();
          return invoke();
        },
      },
    });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(sandbox.requests.filter((r) => r.path.endsWith('/status') && r.status === 401).length).toBeGreaterThanOrEqual(1);
    expect(importsOf(batch)).toHaveLength(1);
  });

  it('rides out 5xx and 429 on the token and status endpoints, and 429 on the upload, without importing twice', async () => {
    const batch = nextBatch();
    await putBatch(env.s3, env.bucket, batch, good);
    const sandbox = env.watermark.sandbox!;
    // Tokens issued earlier no longer work, so the token endpoint is asked (and faulted) too.
    sandbox.expireTokens();
    // A 5xx after the upload went out is uncertain by design (uncertain.local.test.ts); a 429 is a refusal.
    sandbox.configure({ faults: { rate: 0.5, kinds: ['5xx', '429'], retryAfterSeconds: 0, seed: 3 }, uploadFaultKinds: ['429'] });
    const run = await runPipeline('watermark-import', { batch });
    sandbox.configure({ faults: { rate: 0 }, uploadFaultKinds: ['5xx', '429', 'reset', 'slow'] });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    const faulted = new Set(sandbox.requests.filter((r) => r.fault).map((r) => r.path.replace(/[0-9a-f-]{36}/, ':id')));
    expect(faulted).toEqual(new Set(['/oauth/token', '/v1/import/data', '/v1/import/:id/status']));
    expect(importsOf(batch)).toHaveLength(1);
  });

  it('ends failed with Watermark\'s status_message and where to look when the import fails', async () => {
    // The sandbox fails imports with a file it cannot classify; our registry is told it is a 'roles' file by name only.
    const batch = nextBatch();
    await deleteAll(env.s3, env.bucket, 'state/watermark/registry.json');
    await putBatch(env.s3, env.bucket, batch, { 'enrollments.csv': 'section_id,person_id,role\r\nX-01,S1,Student\r\n' });
    const run = await runPipeline('watermark-import', { batch });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('Watermark.ImportFailed');
    expect(run.cause).toMatch(/ended Failed: No import type recognised for: enrollments\.csv/);
    expect(run.cause).toContain('Data Transactions › Bulk Imports');
    expect(importsOf(batch)).toHaveLength(1);
    // A rerun reports the same outcome without sending it again.
    const again = await runPipeline('watermark-import', { batch });
    expect(again.error).toBe('Watermark.ImportFailed');
    expect(again.cause).toContain('rerun with "force": true');
    expect(importsOf(batch)).toHaveLength(1);
  });

  it('gives up on an import that never leaves In Progress, and a rerun resumes polling instead of importing again', async () => {
    const batch = nextBatch();
    await putBatch(env.s3, env.bucket, batch, { 'roles.csv': good['roles.csv']! });
    env.watermark.sandbox!.configure({ neverFinish: true });
    const run = await runPipeline('watermark-import', { batch, maxPollSeconds: 1 });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('Watermark.ImportStuck');
    expect(run.cause).toMatch(/was still In Progress after \d+ s \(limit 1 s, maxPollSeconds\)/);
    // What the failure path knows: the import's id at Watermark and where the receipt is.
    const id = importsOf(batch)[0]!.importId;
    expect(run.cause).toContain(`Batch '${batch}': Watermark import ${id} (submitted `);
    expect(run.cause).toContain(`receipt state/watermark/${batch}/receipt.json.`);
    env.watermark.sandbox!.configure({ neverFinish: false });
    const resumed = await runPipeline('watermark-import', { batch });
    expect(resumed.status, resumed.cause).toBe('SUCCEEDED');
    expect(importsOf(batch)).toHaveLength(1);
  });

  it('imports the newest ready batch when started by a schedule with latestReady', async () => {
    const batch = nextBatch();
    await new Promise((r) => setTimeout(r, 1100));
    await putBatch(env.s3, env.bucket, batch, { 'roles.csv': good['roles.csv']! });
    const run = await runPipeline('watermark-import', { latestReady: true });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect((run.output as ImportRun).batch).toBe(batch);
    expect(importsOf(batch)).toHaveLength(1);
    const both = await runPipeline('watermark-import', { latestReady: true, batch });
    expect(both.error).toBe('Etl.InvalidInput');
  });

  it('says what to check when the client id and secret are swapped', async () => {
    const batch = nextBatch();
    await putBatch(env.s3, env.bucket, batch, { 'roles.csv': good['roles.csv']! });
    env.secrets.set(WATERMARK_SECRET_ID, { clientId: SANDBOX_CLIENT_SECRET, clientSecret: SANDBOX_CLIENT_ID });
    const run = await runPipeline('watermark-import', { batch });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('Watermark.AuthorizationFailed');
    expect(run.cause).toMatch(/HTTP 401 invalid_client.*Check clientId and clientSecret in secret 'etl-hub\/watermark'.*not swapped/);
    expect(run.cause).not.toContain(SANDBOX_CLIENT_SECRET);
    expect(importsOf(batch)).toHaveLength(0);
  });

  it('says what to check when the audience is misspelled', async () => {
    // The audience is deployment configuration, read once per container: asked here of the client itself.
    const { WatermarkApi } = await import('../api.js');
    const api = new WatermarkApi(
      { tokenUrl: env.watermark.tokenUrl, apiBaseUrl: env.watermark.apiBaseUrl, audience: 'https://api.platform.watermarkinsight.com', secretId: 'etl-hub/watermark' },
      { clientId: SANDBOX_CLIENT_ID, clientSecret: SANDBOX_CLIENT_SECRET },
    );
    const error = await api.token().catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'Watermark.AuthorizationFailed' });
    expect((error as Error).message).toMatch(/refused the audience 'https:\/\/api\.platform\.watermarkinsight\.com'.*must be exactly https:\/\/api\.platform\.watermarkinsights\.com/);
  });
});
