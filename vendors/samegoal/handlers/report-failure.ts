import { readableCause } from '../../../lambdas/errors.js';
import { batchLease, type Delivery } from '../delivery.js';
import { releaseLease } from '../../../lambdas/leases.js';
import { describeLeftovers } from '../on-server.js';
import { events } from '../events.js';
import { config, logger, withSftpSecret } from './common.js';

const log = logger('ReportFailure');

/** Turns a failed step into the run's error and cause, adding what was left on the server. */
export const handler = withSftpSecret('ReportFailure', events.reportFailure, async (event: Delivery & { failure: { Error: string; Cause: string } }, secret) => {
  const left = await describeLeftovers(event, config, secret);
  if (event.batch && event.runId) await releaseLease(batchLease(event.batch), event.runId);
  const cause = `${readableCause(event.failure.Cause)} ${left}`;
  log.error('delivery failed', { error: event.failure.Error, cause });
  return { error: event.failure.Error, cause };
});
