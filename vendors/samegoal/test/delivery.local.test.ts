import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../delivery.js';
import { runPipeline } from '../../../local/runner.js';
import { sampleDelivery } from '../sandbox/sample-batch.js';
import { deleteAll, putBatch, startEnv } from '../../../test/helpers/local.js';

let env: Awaited<ReturnType<typeof startEnv>>;
const good = sampleDelivery(200);
let n = 0;
/** A fresh batch, a second after the last: epoch directories are named to the second. */
const nextBatch = async () => {
  await new Promise((r) => setTimeout(r, 1050));
  return `sg-${++n}`;
};

beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env?.stop();
});

/** Epoch directories on the server that hold a COMPLETE. */
const completeDirs = () =>
  readdirSync(join(env.samegoal.root!, 'upload')).filter((d) => existsSync(join(env.samegoal.root!, 'upload', d, 'COMPLETE')));

describe('samegoal-delivery through the local runtime (connector transport, epoch mode)', () => {
  it('makes the epoch directory, sends the CSVs through the connector, verifies them, and writes COMPLETE last', async () => {
    const batch = await nextBatch();
    await putBatch(env.s3, env.bucket, batch, good, 'samegoal');
    const run = await runPipeline('samegoal-delivery', { batch });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    const d = run.output as Delivery;
    expect(d.epoch).toMatch(/^\d{8}-\d{6}$/);
    const dir = `/upload/${d.epoch}`;
    expect(readdirSync(join(env.samegoal.root!, dir)).sort()).toEqual(['COMPLETE', 'guardians.csv', 'students.csv']);
    // From the server's own log: the directory first, COMPLETE the last thing written, after every CSV was closed.
    const ops = env.samegoal.sftp!.ops.filter((o) => o.path.startsWith(dir));
    expect(ops[0]).toMatchObject({ op: 'mkdir', path: dir });
    const last = ops.filter((o) => o.op === 'close-write').at(-1)!;
    expect(last).toMatchObject({ path: `${dir}/COMPLETE`, bytes: 0 });
    const completeOpened = ops.find((o) => o.op === 'open-write' && o.path.endsWith('/COMPLETE'))!;
    for (const csv of ['students.csv', 'guardians.csv']) {
      expect(ops.find((o) => o.op === 'close-write' && o.path.endsWith(`/${csv}`))!.seq).toBeLessThan(completeOpened.seq);
    }
    expect(env.samegoal.transfer.calls.filter((c) => c === 'StartFileTransfer')).toHaveLength(2);
  });

  it('refuses a misnamed file with the closest valid name, and sends nothing', async () => {
    const batch = await nextBatch();
    const before = env.samegoal.sftp!.ops.length;
    await putBatch(env.s3, env.bucket, batch, { 'students.csv': good['students.csv']!, 'gaurdians.csv': good['guardians.csv']! }, 'samegoal');
    const run = await runPipeline('samegoal-delivery', { batch });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('SameGoal.ValidationFailed');
    expect(run.cause).toContain("gaurdians.csv: SameGoal takes only students.csv, guardians.csv, users.csv, user_roles.csv, absences.csv; did you mean 'guardians.csv'?");
    expect(env.samegoal.sftp!.ops.length).toBe(before);
  });

  it('lists every bad value of students.csv with line and column', async () => {
    const batch = await nextBatch();
    const students = good['students.csv']!.split('\r\n');
    students[2] = students[2]!.replace(',F,', ',X,');
    students[3] = students[3]!.replace('ENROLLED', 'ENROLED');
    students[4] = students[4]!.replace(/\d{2}\/\d{2}\/\d{4}/, '31/02/2010');
    students[5] = students[5]!.replace(/^S\d+/, 'S100000');
    students[0] = students[0]!.replace('Last Name', 'Lastname');
    await putBatch(env.s3, env.bucket, batch, { 'students.csv': students.join('\r\n') }, 'samegoal');
    const run = await runPipeline('samegoal-delivery', { batch });
    expect(run.error).toBe('SameGoal.ValidationFailed');
    for (const m of [
      "students.csv line 1: is missing the required column 'Last Name'",
      "students.csv line 1, column 'Lastname': is not a SameGoal column; did you mean 'Last Name'?",
      "students.csv line 3, column 'Gender': 'X' is not one of M, F, m, f, male, female, Male, Female",
      "students.csv line 4, column 'District Enrollment': 'ENROLED' is not one of",
      "students.csv line 5, column 'Date of Birth': '31/02/2010' is not a date in MM/DD/YYYY, MM-DD-YYYY, YYYY/MM/DD, YYYY-MM-DD",
      "students.csv line 6, column 'Student Id': has the same value as line 2; Student Id must be unique",
    ]) {
      expect(run.cause).toContain(m);
    }
  });

  it('checks the other files for CSV rules and control characters, and caps a header of 50,000 unknown columns', async () => {
    const batch = await nextBatch();
    const before = env.samegoal.sftp!.ops.length;
    const guardians = good['guardians.csv']!.split('\r\n');
    guardians[3] = `${guardians[3]}\u0007`;
    const students = good['students.csv']!.split('\r\n');
    const wide = Array.from({ length: 50_000 }, (_, i) => `Extra ${i}`).join(',');
    students[0] = `${students[0]},${wide}`;
    await putBatch(env.s3, env.bucket, batch, { 'students.csv': students.join('\r\n'), 'guardians.csv': guardians.join('\r\n') }, 'samegoal');
    const run = await runPipeline('samegoal-delivery', { batch });
    expect(run.error).toBe('SameGoal.ValidationFailed');
    expect(run.cause).toMatch(/guardians\.csv line 4, column '[^']+': has the control character U\+0007/);
    expect(run.cause).toContain("students.csv line 1, column 'Extra 0': is not a SameGoal column");
    expect(run.cause).toContain('students.csv line 1: 49990 more columns that are not SameGoal columns');
    expect(run.cause!.length).toBeLessThan(8000);
    expect(env.samegoal.sftp!.ops.length).toBe(before);
  });

  it('stops a 40% drop in guardians before sending anything, unless allowed', async () => {
    await deleteAll(env.s3, env.bucket, 'state/samegoal/');
    const first = await nextBatch();
    await putBatch(env.s3, env.bucket, first, good, 'samegoal');
    expect((await runPipeline('samegoal-delivery', { batch: first })).status).toBe('SUCCEEDED');
    const dropped = await nextBatch();
    const guardians = good['guardians.csv']!.split('\r\n');
    await putBatch(env.s3, env.bucket, dropped, { 'students.csv': good['students.csv']!, 'guardians.csv': [...guardians.slice(0, 121), ''].join('\r\n') }, 'samegoal');
    const completeBefore = completeDirs().length;
    const run = await runPipeline('samegoal-delivery', { batch: dropped });
    expect(run.error).toBe('SameGoal.MassChange');
    expect(run.cause).toMatch(/guardians\.csv has 120 rows, 40\.0% fewer than the 200 delivered in \d{8}-\d{6} \(limit 10%\)/);
    expect(completeDirs().length).toBe(completeBefore);
    await new Promise((r) => setTimeout(r, 1100)); // a new epoch second for the allowed run
    const allowed = await runPipeline('samegoal-delivery', { batch: dropped, allowMassChange: true });
    expect(allowed.status, allowed.cause).toBe('SUCCEEDED');
    expect((allowed.output as Delivery).warnings[0]).toMatch(/allowed mass change: guardians\.csv has 120 rows/);
  });

  it('retries a transfer the connector reports FAILED, and still writes COMPLETE only after both files', async () => {
    const batch = await nextBatch();
    await putBatch(env.s3, env.bucket, batch, good, 'samegoal');
    env.samegoal.transfer.failNext = { match: /guardians\.csv$/, times: 1 };
    const run = await runPipeline('samegoal-delivery', { batch });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(env.samegoal.transfer.calls.filter((c) => c === 'StartFileTransfer').length).toBeGreaterThanOrEqual(3);
  });

  it('fails after a bounded number of FAILED transfers, says what was left, and leaves no COMPLETE', async () => {
    const batch = await nextBatch();
    await putBatch(env.s3, env.bucket, batch, good, 'samegoal');
    env.samegoal.transfer.failNext = { match: /students\.csv$/, times: 10 };
    const completeBefore = completeDirs().length;
    const run = await runPipeline('samegoal-delivery', { batch });
    env.samegoal.transfer.failNext = undefined;
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('SameGoal.TransferFailed');
    expect(run.cause).toMatch(/students\.csv failed 3 times through connector c-0123456789abcdef0: .*Left on the server in \/upload\/\d{8}-\d{6}, with no COMPLETE, so SameGoal will not process it: guardians\.csv \(\d+ bytes\)/);
    expect(completeDirs().length).toBe(completeBefore);
  });

  it('refuses an epoch directory another delivery is writing into, and says it left nothing there', async () => {
    const batch = await nextBatch();
    await putBatch(env.s3, env.bucket, batch, good, 'samegoal');
    const run = await runPipeline('samegoal-delivery', { batch }, {
      hooks: {
        // Another delivery made this second's directory just before us and is writing into it.
        MakeEpochDir: async (invoke, input) => {
          const { mkdirSync, writeFileSync } = await import('node:fs');
          const dir = join(env.samegoal.root!, (input as Delivery).remoteDir);
          mkdirSync(dir, { recursive: true });
          writeFileSync(join(dir, 'students.csv'), 'theirs');
          return invoke();
        },
      },
    });
    expect(run.error).toBe('SameGoal.EpochExists');
    expect(run.cause).toMatch(/The epoch directory \/upload\/\d{8}-\d{6} already exists on the server with 1 file\(s\) in it; nothing was sent/);
    expect(run.cause).toMatch(/This run made no epoch directory \(\/upload\/\d{8}-\d{6}\), so it left nothing on the server/);
  });

  it('goes on when MakeEpochDir is retried after its own mkdir succeeded', async () => {
    const batch = await nextBatch();
    await putBatch(env.s3, env.bucket, batch, good, 'samegoal');
    const run = await runPipeline('samegoal-delivery', { batch }, {
      hooks: {
        // The directory is made, then the Lambda dies before it answers: Step Functions retries it.
        MakeEpochDir: async (invoke, _input, attempt) => {
          const out = await invoke();
          if (attempt === 1) throw Object.assign(new Error('the Lambda died after its mkdir'), { name: 'Lambda.Unknown' });
          return out;
        },
      },
    });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(readdirSync(join(env.samegoal.root!, `/upload/${(run.output as Delivery).epoch}`)).sort()).toEqual(['COMPLETE', 'guardians.csv', 'students.csv']);
  });

  it('delivers a batch once: a rerun says where it went and sends nothing, unless forced', async () => {
    const batch = await nextBatch();
    await putBatch(env.s3, env.bucket, batch, good, 'samegoal');
    const first = await runPipeline('samegoal-delivery', { batch });
    expect(first.status, first.cause).toBe('SUCCEEDED');
    const dirs = () => readdirSync(join(env.samegoal.root!, 'upload')).length;
    const before = dirs();
    await new Promise((r) => setTimeout(r, 1050));
    const again = await runPipeline('samegoal-delivery', { batch });
    expect(again.status).toBe('SUCCEEDED');
    expect((again.output as Delivery).alreadyDelivered).toBe(true);
    expect((again.output as Delivery).warnings[0]).toMatch(new RegExp(`^already delivered into /upload/${(first.output as Delivery).epoch} at `));
    expect(dirs()).toBe(before);
    const forced = await runPipeline('samegoal-delivery', { batch, force: true });
    expect(forced.status, forced.cause).toBe('SUCCEEDED');
    expect(dirs()).toBe(before + 1);
  });

  it('delivers once when two executions of one batch start together: the second ends Etl.AlreadyRunning', async () => {
    const batch = await nextBatch();
    await putBatch(env.s3, env.bucket, batch, good, 'samegoal');
    const before = readdirSync(join(env.samegoal.root!, 'upload')).length;
    const runs = await Promise.all([
      runPipeline('samegoal-delivery', { batch }, { executionName: `${batch}-a` }),
      runPipeline('samegoal-delivery', { batch }, { executionName: `${batch}-b` }),
    ]);
    expect(runs.filter((r) => r.status === 'SUCCEEDED')).toHaveLength(1);
    const loser = runs.find((r) => r.status === 'FAILED')!;
    expect(loser.error).toBe('Etl.AlreadyRunning');
    expect(loser.cause).toMatch(new RegExp(`samegoal/${batch} is being worked on by execution ${batch}-(a|b)`));
    expect(readdirSync(join(env.samegoal.root!, 'upload')).length).toBe(before + 1);
  });
});
