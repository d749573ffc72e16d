import { randomUUID } from 'node:crypto';
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { BUILT_IN_DEFAULTS, validateRequest, type ExportRequest } from '../vendors/campusgroups/plan.js';

export interface BackfillOptions {
  stateMachineArn: string;
  from: string;
  to: string;
  entities?: string[];
  windowDays?: number;
  name?: string;
}

/** The input a backfill execution takes: the same whether pasted into the console or sent from here. */
export function backfillInput(options: Pick<BackfillOptions, 'from' | 'to' | 'entities' | 'windowDays'>): ExportRequest {
  return {
    updatedStart: options.from,
    updatedEnd: options.to,
    ...(options.entities ? { entities: options.entities } : {}),
    ...(options.windowDays ? { windowDays: options.windowDays } : {}),
  };
}

/**
 * Starts a backfill of the deployed campusgroups-export state machine. The input is checked
 * here with the same rules the state machine applies, so a typo fails before anything starts.
 */
export async function startBackfill(client: Pick<SFNClient, 'send'>, options: BackfillOptions): Promise<{ executionArn: string; name: string; input: ExportRequest }> {
  if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/.test(options.stateMachineArn)) {
    throw new Error(`--state-machine-arn must be a Step Functions state machine ARN, got '${options.stateMachineArn}'`);
  }
  const input = backfillInput(options);
  validateRequest(input, BUILT_IN_DEFAULTS, Date.now());
  const name = options.name ?? `backfill-${options.from.slice(0, 10).replace(/-/g, '')}-${options.to.slice(0, 10).replace(/-/g, '')}-${randomUUID().slice(0, 8)}`;
  const res = await client.send(new StartExecutionCommand({ stateMachineArn: options.stateMachineArn, name, input: JSON.stringify(input) }));
  if (!res.executionArn) throw new Error('StartExecution answered without an executionArn');
  return { executionArn: res.executionArn, name, input };
}
