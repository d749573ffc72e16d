import middy from '@middy/core';
import { startTransfers, type Delivery } from '../delivery.js';
import { config } from './common.js';

export const handler = middy(async (event: { delivery: Delivery; phase: 'files' | 'complete' }): Promise<Delivery> => startTransfers(event.delivery, config, event.phase));
