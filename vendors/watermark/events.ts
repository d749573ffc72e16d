import { z } from '../../lambdas/zod.js';
import { shapes } from '../../lambdas/edge.js';

/** What watermark-import's state machine hands its tasks; checked at each handler's edge. */
const run = z.looseObject({
  batch: z.string().check(z.minLength(1)),
  force: z.boolean(),
  maxPollSeconds: z.number(),
  runId: z.string().check(z.minLength(1)),
  phase: z.enum(['validate', 'poll', 'done']),
});
const files = z.array(z.looseObject({ name: z.string(), key: z.string(), type: z.string(), rows: z.number() }));
const zip = z.looseObject({ key: z.string(), bytes: z.number(), sha256: z.string() });

export const events = {
  checkReceipt: shapes.start,
  validate: run,
  zip: z.extend(run, { files }),
  authorize: run,
  submit: z.extend(run, { files, zip }),
  poll: z.extend(run, { importId: z.string().check(z.minLength(1)) }),
};
