import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { ENTITIES } from '../vendors/campusgroups/entities.js';
import { BUILT_IN_DEFAULTS, maxDaysPerExecution, parseIso, toIso, validateRequest, type ExportRequest } from '../vendors/campusgroups/plan.js';

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
 * A range too long for one execution's history is split into parts that each fit, run one
 * after another (so no entity is exported by two executions at once): each part is started
 * when the one before has succeeded; a failed part stops the rest.
 */
export async function startBackfill(
  client: Pick<SFNClient, 'send'>,
  options: BackfillOptions,
  progress: (line: string) => void = () => undefined,
  pollMs = 30_000,
): Promise<Array<{ executionArn: string; name: string; input: ExportRequest; status?: string }>> {
  if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/.test(options.stateMachineArn)) {
    throw new Error(`--state-machine-arn must be a Step Functions state machine ARN, got '${options.stateMachineArn}'`);
  }
  const parts = splitBackfill(options);
  const base = options.name ?? `backfill-${options.from.slice(0, 10).replace(/-/g, '')}-${options.to.slice(0, 10).replace(/-/g, '')}-${randomUUID().slice(0, 8)}`;
  const started: Array<{ executionArn: string; name: string; input: ExportRequest; status?: string }> = [];
  for (const [i, input] of parts.entries()) {
    const name = parts.length === 1 ? base : `${base}-${i + 1}-of-${parts.length}`;
    const res = await client.send(new StartExecutionCommand({ stateMachineArn: options.stateMachineArn, name, input: JSON.stringify(input) }));
    if (!res.executionArn) throw new Error('StartExecution answered without an executionArn');
    started.push({ executionArn: res.executionArn, name, input });
    progress(`started ${name}: ${input.updatedStart} .. ${input.updatedEnd}`);
    if (parts.length === 1) break;
    for (;;) {
      const d = await client.send(new DescribeExecutionCommand({ executionArn: res.executionArn }));
      const status = d.status ?? 'UNKNOWN';
      if (status === 'RUNNING') {
        await sleep(pollMs);
        continue;
      }
      started.at(-1)!.status = status;
      progress(`${name}: ${status}`);
      if (status !== 'SUCCEEDED') throw new Error(`${name} ended ${status}; the parts after it were not started (${d.error ?? ''} ${d.cause ?? ''}).`);
      break;
    }
  }
  return started;
}

/** The backfill's input, or its parts when one execution's history cannot hold it. */
export function splitBackfill(options: Pick<BackfillOptions, 'from' | 'to' | 'entities' | 'windowDays'>): ExportRequest[] {
  const input = backfillInput(options);
  const now = Date.now();
  const entities = options.entities?.length ?? ENTITIES.length;
  const windowDays = options.windowDays ?? BUILT_IN_DEFAULTS.windowDays;
  const days = maxDaysPerExecution(entities, windowDays);
  const start = parseIso('updatedStart', options.from);
  const end = Math.min(now, parseIso('updatedEnd', options.to, true));
  if (days <= 0 || end - start < days * 86_400_000) {
    validateRequest(input, BUILT_IN_DEFAULTS, now);
    return [input];
  }
  const parts: ExportRequest[] = [];
  // Parts meet at a shared second, as windows do: a record updated in it is in both parts
  // (two runs; keep the latest per id downstream) rather than in neither.
  for (let from = start; ; ) {
    const to = Math.min(end, from + days * 86_400_000 - 1000);
    const part = { ...input, updatedStart: toIso(from), updatedEnd: toIso(to) };
    validateRequest(part, BUILT_IN_DEFAULTS, now);
    parts.push(part);
    if (to >= end) break;
    from = to;
  }
  return parts;
}
