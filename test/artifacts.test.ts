import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportSummary } from '../vendors/campusgroups/summary.js';
import type { Delivery } from '../vendors/samegoal/delivery.js';
import type { ImportRun } from '../vendors/watermark/pipeline.js';
import { localEnvironment, synthesize, type Assembly } from '../local/bundles.js';
import { LambdaContainer, LambdaInvokeError } from '../local/lambda-container.js';
import { runPipeline } from '../local/runner.js';
import { PIPELINES } from '../vendors/index.js';
import { SANDBOX_SCHOOL, SANDBOX_SECRET } from '../vendors/campusgroups/sandbox/server.js';
import { sampleDelivery } from '../vendors/samegoal/sandbox/sample-batch.js';
import { sampleBatch } from '../vendors/watermark/sandbox/sample-batch.js';
import { SANDBOX_CLIENT_SECRET } from '../vendors/watermark/sandbox/server.js';
import { landedIds, logLines, putBatch, sorted, startEnv } from './helpers/local.js';

// What `cdk synth` ships is what runs here: every function's bundle in its own Node process,
// on the Lambda runtime's Node major, with the environment its template gives it.
let assembly: Assembly;
let outdir: string;
let env: Awaited<ReturnType<typeof startEnv>>;

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'etl-assembly-'));
  assembly = await synthesize(outdir);
  env = await startEnv({ campusgroups: { data: { recordsPerEntity: 300, start: '2025-01-01T00:00:00Z', end: '2025-12-31T23:59:59Z' }, pollsBeforeReady: 1 } });
}, 180_000);
afterAll(async () => {
  await env?.stop();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/** Errors our code names (Etl.*, CampusGroups.*, …), as opposed to the runtime's (Runtime.*, Sandbox.*) or a bare TypeError. */
const OUR_ERROR = /^(Etl|CampusGroups|Watermark|SameGoal|GoContractor)\.[A-Z][A-Za-z]+$/;

describe('the synthesized bundles', () => {
  it('are one per Node.js function, all on the Node major this suite runs on', () => {
    expect(assembly.functions).toHaveLength(25);
    const majors = new Set(assembly.functions.map((f) => f.runtime));
    expect(majors).toEqual(new Set([`nodejs${process.versions.node.split('.')[0]}.x`]));
  });

  it('each load in a fresh process with their template environment and answer a minimal event with a result or our own named error', async () => {
    const answers: string[] = [];
    for (const fn of assembly.functions) {
      const container = new LambdaContainer({
        name: fn.logicalId,
        file: fn.file,
        handler: fn.handler,
        timeoutSeconds: 60,
        memoryMb: fn.memoryMb,
        environment: localEnvironment(fn),
        onLine: (line) => logLines.push(line),
      });
      try {
        const value = await container.invoke({});
        answers.push(`${fn.logicalId}: returned ${JSON.stringify(value).slice(0, 60)}`);
      } catch (error) {
        expect(error, fn.logicalId).toBeInstanceOf(LambdaInvokeError);
        const { errorType, errorMessage } = (error as LambdaInvokeError).failure;
        expect(errorType, `${fn.logicalId}: ${errorMessage}`).toMatch(OUR_ERROR);
        answers.push(`${fn.logicalId}: ${errorType}`);
      } finally {
        await container.stop();
      }
      expect(container.coldStarts).toBe(1);
    }
    // Tasks reject an empty event at their edge; the triggers and the daily checks accept it.
    expect(answers.filter((a) => a.includes('Etl.InvalidInput'))).toHaveLength(22);
    expect(answers.filter((a) => a.includes('returned'))).toHaveLength(3);
  });

  it('keep SFTP out of the functions that do not log in to SFTP', () => {
    // ssh2 leaves its cipher names in any bundle that holds it.
    const withSsh2 = assembly.functions.filter((f) => readFileSync(f.file, 'utf-8').includes('chacha20-poly1305@openssh.com')).map((f) => f.logicalId.replace(/[0-9A-F]{8}$/, ''));
    expect(withSsh2.sort()).toEqual([
      'CheckConnections',
      'SameGoalDeliveryDeliverDirect',
      'SameGoalDeliveryMakeEpochDir',
      'SameGoalDeliveryReportFailure',
      'SameGoalDeliveryVerifyDelivery',
    ]);
  });
});

describe('the four pipelines from their bundles', () => {
  const bundled = () => ({ kind: 'bundled' as const, assembly });

  it('campusgroups-export lands every record once', async () => {
    const run = await runPipeline('campusgroups-export', { updatedStart: '2025-01-01', updatedEnd: '2025-12-31', entities: ['events', 'users'], pageSize: 100 }, { code: bundled() });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect((run.output as ExportSummary).totals).toMatchObject({ succeeded: 2, records: 600 });
    const sandbox = env.campusgroups.sandbox!;
    for (const entity of ['events', 'users']) {
      expect(sorted(await landedIds(env.s3, env.bucket, SANDBOX_SCHOOL, entity))).toEqual(sandbox.expectedIds(entity, '2025-01-01T00:00:00Z', '2025-12-31T23:59:59Z'));
    }
    expect(logLines.join('\n')).not.toContain(SANDBOX_SECRET);
  });

  it('watermark-import imports a batch once', async () => {
    await putBatch(env.s3, env.bucket, 'bundled-1', sampleBatch(50));
    // A large parent: a child's ru_maxrss keeps the image forked from it, its own peak does not.
    let ballast: Buffer | undefined = Buffer.alloc(400 * 1024 * 1024, 1);
    const run = await runPipeline('watermark-import', { batch: 'bundled-1' }, { code: bundled() });
    expect(ballast.length).toBeGreaterThan(0);
    ballast = undefined;
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect((run.output as ImportRun).status).toBe('Completed');
    expect(env.watermark.sandbox!.imports.filter((i) => i.fileName === 'bundled-1.zip')).toHaveLength(1);
    expect(logLines.join('\n')).not.toContain(SANDBOX_CLIENT_SECRET);
    // Each function's own process reports its peak memory, as Lambda's Max Memory Used, within its memory setting.
    const memory = run.maxMemoryUsedMb!;
    expect(Object.keys(memory)).toEqual(expect.arrayContaining(['ValidateBatch', 'ZipBatch', 'SubmitImport', 'PollStatus']));
    for (const fn of PIPELINES['watermark-import']!.functions) if (memory[fn.id] !== undefined) expect(memory[fn.id], fn.id).toBeLessThan(fn.memoryMb);
    // Each figure is the function's own: far below the 400 MB this process held when it started them.
    for (const [fn, mb] of Object.entries(memory)) expect(mb, fn).toBeLessThan(300);
  });

  it('samegoal-delivery delivers into a new epoch directory with COMPLETE last', async () => {
    await putBatch(env.s3, env.bucket, 'bundled-1', sampleDelivery(40), 'samegoal');
    const run = await runPipeline('samegoal-delivery', { batch: 'bundled-1' }, { code: bundled() });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    const dir = `/upload/${(run.output as Delivery).epoch}`;
    expect(readdirSync(join(env.samegoal.root!, dir)).sort()).toEqual(['COMPLETE', 'guardians.csv', 'students.csv']);
    const writes = env.samegoal.sftp!.ops.filter((o) => o.path.startsWith(dir) && o.op === 'close-write');
    expect(writes.at(-1)!.path).toBe(`${dir}/COMPLETE`);
  });

  it('gocontractor-export pages both entities to the end', async () => {
    const run = await runPipeline('gocontractor-export', {}, { code: bundled() });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect((run.output as { totals: { records: number } }).totals.records).toBe(290);
  });
});
