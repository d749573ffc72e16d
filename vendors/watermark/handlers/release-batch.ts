import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { readableCause } from '../../../lambdas/errors.js';
import { releaseLease } from '../../../lambdas/leases.js';
import { z } from '../../../lambdas/zod.js';
import { batchLease } from '../pipeline.js';

const event = z.looseObject({ batch: z.string(), runId: z.string(), failure: z.looseObject({ Error: z.string(), Cause: z.optional(z.string()) }) });

/** A failed run gives its batch up, then fails with the step's own error and cause. */
export const handler = middy(async (e: z.infer<typeof event>): Promise<{ error: string; cause: string }> => {
  await releaseLease(batchLease(e.batch), e.runId);
  return { error: e.failure.Error, cause: readableCause(e.failure.Cause ?? '') };
}).use(edge('ReleaseBatch', event));
