import type { LocalEvent } from '../lambdas/connector.js';

/**
 * Step Functions' own limits, so that what fails in AWS fails here with the same error:
 * 256 KiB of UTF-8 per state input, output, task result and execution input/output;
 * an error name of at most 256 and a cause of at most 32,768 characters (HistoryEvent's
 * LambdaFunctionFailedEventDetails); 25,000 events in one execution's history.
 */
export const LIMITS = { payloadBytes: 256 * 1024, errorChars: 256, causeChars: 32_768, historyEvents: 25_000 } as const;

export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value ?? null), 'utf-8');

export const tooLarge = (what: string, bytes: number): string =>
  `${what} is ${bytes.toLocaleString('en-US')} bytes; Step Functions accepts at most ${LIMITS.payloadBytes.toLocaleString('en-US')} (256 KiB)`;

/**
 * History events a local event stands for, as Step Functions writes them: <Type>StateEntered and
 * <Type>StateExited for every state; Map and Parallel add <Type>StateStarted and
 * <Type>StateSucceeded/Failed, and two events per Map iteration (Parallel branches write none of their own); a Fail state writes FailStateEntered.
 * A Task's Lambda events (Scheduled, Started, Succeeded/Failed: three an attempt) are counted
 * where the task runs.
 */
export function historyEvents(event: LocalEvent & { state?: { type?: string } }): number {
  const type = event.state?.type;
  switch (event.type) {
    case 'StateEntered':
      return type === 'Map' || type === 'Parallel' ? 2 : 1;
    case 'StateExited':
      return type === 'Map' || type === 'Parallel' ? 2 : 1;
    case 'StateFailed':
      return type === 'Map' || type === 'Parallel' ? 1 : 0;
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed':
      return 1;
    default:
      return 0;
  }
}

export class HistoryLimit {
  count = 0;

  /** Adds events; true once the history is past Step Functions' limit. */
  add(events: number): boolean {
    this.count += events;
    return this.count > LIMITS.historyEvents;
  }

  failure(): [string, string] {
    // Step Functions' words for it (the error name in that case is not documented).
    return ['States.Runtime', `The execution reached the maximum number of history events (${LIMITS.historyEvents}).`];
  }
}
