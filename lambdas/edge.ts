import type middy from '@middy/core';
import { z } from './zod.js';
import { InvalidInputError, SecretError } from './errors.js';


/**
 * The first middleware of every handler: the event is checked against the shape the task
 * reads before anything else runs (so a wrong event is `Etl.InvalidInput` naming the field,
 * never a TypeError deep inside), and a secret that middy could not fetch becomes
 * `Etl.Secret` naming it, instead of middy's "Failed to resolve internal values".
 */
export function edge(task: string, schema?: z.ZodMiniType, secretId?: string): middy.MiddlewareObj {
  return {
    before: (request) => {
      if (!schema) return;
      const parsed = schema.safeParse(request.event);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const where = issue.path.length > 0 ? `'${issue.path.join('.')}'` : 'the event';
        throw new InvalidInputError(`${task} cannot use its event: ${where}: ${issue.message}`);
      }
    },
    onError: (request) => {
      const error = request.error as (Error & { cause?: { package?: string; data?: unknown[] } }) | null;
      if (error?.message === 'Failed to resolve internal values' && error.cause?.package?.startsWith('@middy/')) {
        const reasons = (error.cause.data ?? []).map((d) => {
          const reason = d as { name?: string; message?: string };
          return `${reason?.name ?? 'Error'}: ${reason?.message ?? String(reason)}`;
        });
        request.error = new SecretError(`${task} could not read secret '${secretId ?? '(unknown)'}': ${reasons.join('; ') || 'no reason given'}`);
      }
    },
  };
}

/** Shapes of what state machines hand to tasks: only what a task reads is checked; the rest passes through. */
export const shapes = {
  /** `{input, executionName}`: a pipeline's first task, given the execution's input and name. */
  start: z.looseObject({ input: z.unknown(), executionName: z.string().check(z.minLength(1)) }),
  object: z.looseObject({}),
};
