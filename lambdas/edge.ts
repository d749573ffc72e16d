import type middy from '@middy/core';
import { z } from './zod.js';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { setInvocationDeadline } from './deadline.js';
import { InvalidInputError } from './errors.js';
import { powertoolsLogger } from './log.js';
import { scrub } from './redact.js';
import { tracer } from './tracing.js';


/**
 * The first middlewares of every handler: a trace segment (Powertools Tracer), the Lambda
 * context in every log line (Powertools Logger), then the event checked against the shape the task
 * reads before anything else runs (so a wrong event is `Etl.InvalidInput` naming the field,
 * never a TypeError deep inside).
 */
export function edge(task: string, schema?: z.ZodMiniType, _secretId?: string): middy.MiddlewareObj[] {
  return [captureLambdaHandler(tracer), injectLambdaContext(powertoolsLogger), {
    // The boundary: nothing leaves the handler — its answer or its error — with a secret in it.
    after: (request) => {
      if (request.response !== undefined && request.response !== null) {
        const text = JSON.stringify(request.response);
        const clean = scrub(text);
        if (clean !== text) request.response = JSON.parse(clean);
      }
    },
    onError: (request) => {
      if (request.error) request.error = scrubbedError(request.error);
    },
    before: (request) => {
      const remaining = (request.context as { getRemainingTimeInMillis?: () => number } | undefined)?.getRemainingTimeInMillis?.();
      if (remaining !== undefined) setInvocationDeadline(remaining);
      if (!schema) return;
      const parsed = schema.safeParse(request.event);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const where = issue.path.length > 0 ? `'${issue.path.join('.')}'` : 'the event';
        throw new InvalidInputError(`${task} cannot use its event: ${where}: ${issue.message}`);
      }
    },
  }];
}

/** Step Functions keeps at most 32,768 characters of a cause; a message stays well under it. */
const MAX_MESSAGE = 8_000;

/** The error as it may leave: name and message scrubbed (and capped), the stack scrubbed, nothing else attached. */
export function scrubbedError(error: unknown): Error {
  const e = error instanceof Error ? error : new Error(String(error));
  const message = scrub(e.message);
  const out = new Error(message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}… (${message.length - MAX_MESSAGE} more characters)` : message);
  out.name = scrub(e.name || 'Error').slice(0, 256);
  out.stack = scrub(e.stack ?? '');
  return out;
}

/** Shapes of what state machines hand to tasks: only what a task reads is checked; the rest passes through. */
export const shapes = {
  /** `{input, executionName}`: a pipeline's first task, given the execution's input and name. */
  start: z.looseObject({ input: z.unknown(), executionName: z.string().check(z.minLength(1)) }),
  object: z.looseObject({}),
};
