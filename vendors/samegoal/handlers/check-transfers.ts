import middy from '@middy/core';
import { edge } from '../../../lambdas/edge.js';
import { events } from '../events.js';
import type { Delivery } from '../delivery.js';
import { checkTransfers } from '../transfers.js';
import { config, logger } from './common.js';

const log = logger('CheckTransfers');

export const handler = middy(async (d: Delivery): Promise<Delivery> => checkTransfers(d, config, log)).use(edge('CheckTransfers', events.checkTransfers));
