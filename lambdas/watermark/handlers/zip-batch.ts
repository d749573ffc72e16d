import middy from '@middy/core';
import { loadConfig } from '../config.js';
import { zip, type ImportRun } from '../pipeline.js';

const config = loadConfig();

export const handler = middy(async (run: ImportRun): Promise<ImportRun> => zip(run, config.bucket, config.zipLevel));
