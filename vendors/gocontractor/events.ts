import { z } from '../../lambdas/zod.js';

/** What gocontractor-export's state machine hands its tasks; checked at each handler's edge. */
export const planEvent = z.looseObject({ input: z.unknown(), executionName: z.string().check(z.minLength(1)), startTime: z.string().check(z.minLength(1)) });

export const gcJob = z.looseObject({
  runId: z.string(),
  runStamp: z.string(),
  entity: z.string(),
  pageSize: z.int().check(z.positive()),
  maxPagesPerInvocation: z.int().check(z.positive()),
  phase: z.enum(['pages', 'done']),
  segment: z.looseObject({ part: z.int().check(z.nonnegative()), cursor: z.optional(z.int().check(z.nonnegative())), followed: z.array(z.string()) }),
  totals: z.looseObject({ records: z.number(), parts: z.number(), bytes: z.number() }),
});

export const summaryInput = z.looseObject({
  runId: z.string(),
  warnings: z.array(z.string()),
  results: z.array(z.looseObject({ entity: z.string(), status: z.enum(['succeeded', 'failed']) })),
  planned: z.array(z.string()),
  stopped: z.nullable(z.looseObject({ Error: z.string(), Cause: z.optional(z.string()) })),
});
