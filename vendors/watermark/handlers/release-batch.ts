import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { readableCause } from '../../../lambdas/errors.js';
import { releaseLease } from '../../../lambdas/leases.js';
import { z } from '../../../lambdas/zod.js';
import { receiptKey } from '../batch.js';
import { batchLease } from '../pipeline.js';

const event = z.looseObject({
  batch: z.string(),
  runId: z.string(),
  importId: z.optional(z.string()),
  submittedAt: z.optional(z.string()),
  zip: z.optional(z.unknown()),
  failure: z.looseObject({ Error: z.string(), Cause: z.optional(z.string()) }),
});

/** What the failed run knows of the batch at Watermark, for the execution's cause. */
export function whatIsKnown(e: z.infer<typeof event>): string {
  if (e.importId) {
    return `Batch '${e.batch}': Watermark import ${e.importId}${e.submittedAt ? ` (submitted ${e.submittedAt})` : ''}, in System Administration › Data Transactions › Bulk Imports; receipt ${receiptKey(e.batch)}.`;
  }
  if (e.zip) return `Batch '${e.batch}': whether its ZIP went out is in its receipt, ${receiptKey(e.batch)}.`;
  return `Batch '${e.batch}': no import was submitted.`;
}

/** A failed run gives its batch up, then fails with the step's own error and cause, and what it knows of the batch. */
export const handler = middy(async (e: z.infer<typeof event>): Promise<{ error: string; cause: string }> => {
  await releaseLease(batchLease(e.batch), e.runId);
  const cause = readableCause(e.failure.Cause ?? '') || `${e.failure.Error}, with no cause given`;
  return { error: e.failure.Error, cause: `${cause} ${whatIsKnown(e)}` };
}).use(edge('ReleaseBatch', event));
