import middy from '@middy/core';
import { summarize, type GcSummary } from '../export.js';

export const handler = middy(async (input: { runId: string; warnings: string[]; results: Array<Record<string, unknown>> }): Promise<GcSummary> => summarize(input));
