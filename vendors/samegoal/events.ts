import { z } from '../../lambdas/zod.js';
import { shapes } from '../../lambdas/edge.js';

/** What samegoal-delivery's state machine hands its tasks; checked at each handler's edge. */
const delivery = z.looseObject({
  batch: z.string().check(z.minLength(1)),
  runId: z.string().check(z.minLength(1)),
  mode: z.enum(['epoch', 'auto']),
  transport: z.enum(['connector', 'direct']),
  remoteDir: z.string().check(z.minLength(1)),
  files: z.array(z.looseObject({ name: z.string(), remoteName: z.string(), s3Path: z.string(), bytes: z.number(), rows: z.number() })),
  warnings: z.array(z.string()),
});
const transfers = z.array(z.looseObject({ s3Path: z.string(), transferId: z.string(), attempts: z.int() }));

export const events = {
  prepare: shapes.start,
  delivery,
  startTransfers: z.looseObject({ delivery, phase: z.enum(['files', 'complete']) }),
  checkTransfers: z.extend(delivery, { transfers }),
  verify: z.looseObject({ delivery, what: z.enum(['files', 'complete']) }),
  reportFailure: z.looseObject({ failure: z.looseObject({ Error: z.string(), Cause: z.string() }) }),
};
