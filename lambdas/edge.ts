import type middy from '@middy/core';
import { z } from './zod.js';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { InvalidInputError } from './errors.js';
import { powertoolsLogger } from './log.js';
import { tracer } from './tracing.js';


/**
 * The first middlewares of every handler: a trace segment (Powertools Tracer), the Lambda
 * context in every log line (Powertools Logger), then the event checked against the shape the task
 * reads before anything else runs (so a wrong event is `Etl.InvalidInput` naming the field,
 * never a TypeError deep inside).
 */
export function edge(task: string, schema?: z.ZodMiniType, _secretId?: string): middy.MiddlewareObj[] {
  return [captureLambdaHandler(tracer), injectLambdaContext(powertoolsLogger), {
    before: (request) => {
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

/** Shapes of what state machines hand to tasks: only what a task reads is checked; the rest passes through. */
export const shapes = {
  /** `{input, executionName}`: a pipeline's first task, given the execution's input and name. */
  start: z.looseObject({ input: z.unknown(), executionName: z.string().check(z.minLength(1)) }),
  object: z.looseObject({}),
};
