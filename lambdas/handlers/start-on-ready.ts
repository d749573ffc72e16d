import middy from '@middy/core';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { requireEnv } from '../settings.js';
import { edge } from '../edge.js';
import { createLogger } from '../log.js';
import { traced } from '../tracing.js';
import { readyEventToExecution, type S3ObjectCreatedEvent } from '../ready-trigger.js';

const stateMachineArn = requireEnv('STATE_MACHINE_ARN');
/** Like "watermark/outbox/": the batches this trigger starts runs for. */
const outbox = requireEnv('OUTBOX_PREFIX');
const sfn = traced(new SFNClient({}));
const log = createLogger({ task: 'StartOnReady', outbox });

/**
 * EventBridge → this → StartExecution, because a rule cannot name the execution: the name is
 * made from the marker's S3 event, so a redelivered event starts nothing, and a batch
 * re-marked later starts a run that finds the receipt and imports nothing twice.
 */
export const handler = middy(async (event: S3ObjectCreatedEvent): Promise<{ started: boolean; name?: string }> => {
  const start = readyEventToExecution(event, outbox);
  if (!start) {
    log.warn(`ignored an event that is not a ${outbox}<batch>/_READY marker`, { key: event.detail?.object?.key });
    return { started: false };
  }
  try {
    await sfn.send(new StartExecutionCommand({ stateMachineArn, name: start.name, input: JSON.stringify(start.input) }));
    log.info('started', { name: start.name, batch: start.input.batch });
    return { started: true, name: start.name };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) {
      log.info('already started for this event; nothing to do', { name: start.name });
      return { started: false, name: start.name };
    }
    throw error;
  }
}).use(edge('StartOnReady'));
