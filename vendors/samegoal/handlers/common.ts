import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from '../../../lambdas/zod.js';
import { edge } from '../../../lambdas/edge.js';
import { createLogger } from '../../../lambdas/log.js';
import { secretMiddleware } from '../../../lambdas/secrets.js';
import { loadConfig, SECRET_CONTEXT_KEY, sftpSecretFrom } from '../config.js';
import type { SftpSecret } from '../sftp.js';

export const config = loadConfig();

export const logger = (task: string) => createLogger({ pipeline: 'samegoal-delivery', task });

/** A handler that logs in to the SFTP server: the SFTP secret (the connector's own) is read through middy. */
export function withSftpSecret<E, R>(task: string, schema: z.ZodMiniType, fn: (event: E, secret: SftpSecret) => Promise<R>) {
  return middy(async (event: E, context: Context): Promise<R> => fn(event, sftpSecretFrom(context, config.secretId)))
    .use(edge(task, schema, config.secretId))
    .use(secretMiddleware(SECRET_CONTEXT_KEY, config.secretId));
}
