import middy from '@middy/core';
import { checkTransfers, type Delivery } from '../delivery.js';
import { config, logger } from './common.js';

const log = logger('CheckTransfers');

export const handler = middy(async (d: Delivery): Promise<Delivery> => checkTransfers(d, config, log));
