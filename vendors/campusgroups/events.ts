import { z } from '../../lambdas/zod.js';

/** What campusgroups-export's state machine hands its tasks; checked at each handler's edge. */
const range = z.looseObject({ start: z.string(), end: z.string() });
const counts = z.looseObject({ records: z.number(), parts: z.number(), bytes: z.number() });
const segment = z.looseObject({ part: z.int().check(z.nonnegative()), cursor: z.optional(z.string()), followed: z.array(z.string()), counts });

export const planEvent = z.looseObject({ request: z.unknown(), executionName: z.string().check(z.minLength(1)), startTime: z.string().check(z.minLength(1)) });

export const entityJob = z.looseObject({
  runId: z.string(),
  school: z.string(),
  entity: z.string(),
  mode: z.enum(['incremental', 'backfill']),
  range,
  windowDays: z.number(),
  windowIndex: z.int().check(z.nonnegative()),
  windowCount: z.int().check(z.positive()),
  settings: z.looseObject({ pageSize: z.int(), maxPagesPerInvocation: z.int(), queryReadyTimeoutSeconds: z.number() }),
  phase: z.enum(['query', 'pages', 'done']),
  segment,
  totals: counts,
});

export const summaryInput = z.looseObject({
  runId: z.string(),
  school: z.string(),
  mode: z.enum(['incremental', 'backfill']),
  range: z.nullable(range),
  results: z.array(z.looseObject({ entity: z.string(), status: z.enum(['succeeded', 'failed']) })),
  planned: z.array(z.string()),
  stopped: z.nullable(z.looseObject({ Error: z.string(), Cause: z.optional(z.string()) })),
});
