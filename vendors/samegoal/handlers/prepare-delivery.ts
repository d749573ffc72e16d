import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { events } from '../events.js';
import type { Delivery } from '../delivery.js';
import { prepare } from '../prepare.js';
import { config } from './common.js';

export const handler = middy(async (event: { input: unknown; executionName: string }): Promise<Delivery> => prepare(event.input, event.executionName, config)).use(edge('PrepareDelivery', events.prepare));
