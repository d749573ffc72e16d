import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { events } from '../events.js';
import type { Delivery } from '../delivery.js';
import { startTransfers } from '../transfers.js';
import { config } from './common.js';

export const handler = middy(async (event: { delivery: Delivery; phase: 'files' | 'complete' }): Promise<Delivery> => startTransfers(event.delivery, config, event.phase)).use(edge('StartTransfers', events.startTransfers));
