import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../local/limits.js';
import { runPipeline } from '../local/runner.js';
import { clearLeases, startEnv } from './helpers/local.js';

// The local runtime holds the ASL to Step Functions' own limits, so what would fail in AWS
// fails here with the same error — past the pipelines' Catch, as in AWS, where
// States.ALL does not catch States.DataLimitExceeded.
let env: Awaited<ReturnType<typeof startEnv>>;

beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env?.stop();
});
// These runs end on Step Functions' own terminal errors, where no release step runs: their
// entities' holds would lapse after a day in AWS; here each test starts with none.
beforeEach(async () => {
  await clearLeases();
});

const big = (bytes: number) => 'x'.repeat(bytes);

describe("the local runtime enforces Step Functions' limits", () => {
  it('fails the execution with States.DataLimitExceeded when a task returns more than 256 KiB, even inside a Catch', async () => {
    const run = await runPipeline('gocontractor-export', {}, {
      hooks: { ExportPages: async (invoke) => ({ ...((await invoke()) as object), padding: big(LIMITS.payloadBytes) }) },
    });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.DataLimitExceeded');
    expect(run.cause).toMatch(/The result of state 'ExportPages' is 262,\d{3} bytes; Step Functions accepts at most 262,144 \(256 KiB\)/);
  });

  it('fails the execution when a task input passes 256 KiB', async () => {
    const run = await runPipeline('gocontractor-export', {}, {
      hooks: { ExportPages: async (invoke, _input, attempt) => ({ ...((await invoke()) as object), phase: 'pages', ...(attempt === 1 ? { padding: big(200_000) } : {}), more: big(100_000) }) },
    });
    expect(run.error).toBe('States.DataLimitExceeded');
    expect(run.cause).toMatch(/The (input to|result of) state 'ExportPages' is/);
  });

  it('fails the execution when a task error cause passes 32,768 characters, instead of letting a Catch see it', async () => {
    const run = await runPipeline('gocontractor-export', {}, {
      hooks: {
        ExportPages: async () => {
          throw Object.assign(new Error(big(LIMITS.causeChars + 1)), { name: 'GoContractor.Unexpected' });
        },
      },
    });
    expect(run.error).toBe('States.DataLimitExceeded');
    expect(run.cause).toMatch(/The error cause of state 'ExportPages' \(GoContractor\.Unexpected\) is 32,\d{3} characters; Step Functions accepts at most 32,768/);
  });

  it('refuses an execution input over 256 KiB, as StartExecution does', async () => {
    await expect(runPipeline('gocontractor-export', { padding: big(LIMITS.payloadBytes) })).rejects.toThrow(/execution input is 262,\d{3} bytes; StartExecution accepts at most 262,144/);
  });

  it('fails an execution whose history passes 25,000 events, counted as Step Functions counts them', async () => {
    // A paging loop that never ends, and a plan whose cap on it is past the history limit: every pass is
    // TaskStateEntered, 3 Lambda events, TaskStateExited, the count's 2 and the Choice's 2.
    const run = await runPipeline('gocontractor-export', {}, {
      hooks: {
        PlanExport: async (invoke) => {
          const plan = (await invoke()) as { entities: Array<{ maxPageBatches: number }> };
          for (const job of plan.entities) job.maxPageBatches = 1_000_000;
          return plan;
        },
        ExportPages: async (_invoke, input) => ({ ...(input as object), phase: 'pages' }),
      },
    });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Runtime');
    expect(run.cause).toBe('The execution reached the maximum number of history events (25000).');
    expect(run.historyEvents).toBeGreaterThan(25_000);
    expect(run.historyEvents).toBeLessThan(25_020);
  });

  it("ends the same loop through the pipeline's failure path at the plan's own cap, before the history limit", async () => {
    let invocations = 0;
    const run = await runPipeline('gocontractor-export', {}, {
      hooks: { ExportPages: async (_invoke, input) => (invocations++, { ...(input as object), phase: 'pages' }) },
    });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('GoContractor.TooManyPageBatches');
    expect(run.cause).toMatch(/^2 of 2 entities failed: workers \(GoContractor\.TooManyPageBatches: The export of workers took \d+ page batches, the cap this run planned/);
    expect(run.historyEvents).toBeLessThan(25_000);
    expect(run.historyEvents).toBeGreaterThan(20_000);
    expect(invocations).toBeGreaterThan(2_000);
  });

  it('counts a normal run the way Step Functions does', async () => {
    let invocations = 0;
    const run = await runPipeline('gocontractor-export', {}, { hooks: { ExportPages: (invoke) => (invocations++, invoke()) } });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(invocations).toBeGreaterThanOrEqual(2);
    // ExecutionStarted; PlanExport 5; Map entered, started, succeeded, exited; per entity an iteration started and
    // succeeded and EntityDone entered and exited; per ExportPages invocation 5, its count 2 and its Choice 2; Summarize 5;
    // the Choice 2; the Succeed state 2; ExecutionSucceeded.
    expect(run.historyEvents).toBe(1 + 5 + 4 + 2 * 4 + invocations * 9 + 5 + 2 + 2 + 1);
  });
});
