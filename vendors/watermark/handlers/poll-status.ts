import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { events } from '../events.js';
import type { Context } from 'aws-lambda';
import { createLogger } from '../../../lambdas/log.js';
import { emitMetrics } from '../../../lambdas/metrics.js';
import { secretMiddleware } from '../../../lambdas/secrets.js';
import { WatermarkApi } from '../api.js';
import { credentialsFrom, loadConfig, SECRET_CONTEXT_KEY } from '../config.js';
import { batchLease, poll, type ImportRun } from '../pipeline.js';
import { releaseLease } from '../../../lambdas/leases.js';

const config = loadConfig();
const log = createLogger({ pipeline: 'watermark-import', task: 'PollStatus' });

export const handler = middy(async (run: ImportRun, context: Context): Promise<ImportRun> => {
  const done = await poll(run, new WatermarkApi(config, credentialsFrom(context, config.secretId), log), config.bucket);
  // Completed or Failed: the batch is free for the next run.
  await releaseLease(batchLease(run.batch), run.runId);
  const rows = (done.files ?? []).reduce((n, f) => n + f.rows, 0);
  emitMetrics({ Pipeline: 'watermark-import' }, { FilesMoved: done.files?.length ?? 0, RecordsMoved: rows, BytesMoved: done.zip?.bytes ?? 0 });
  return done;
}).use(edge('PollStatus', events.poll, config.secretId))
  .use(secretMiddleware(SECRET_CONTEXT_KEY, config.secretId));
