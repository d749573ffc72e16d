import middy from '@middy/core';
import { record, type Delivery } from '../delivery.js';
import { config } from './common.js';

export const handler = middy(async (d: Delivery): Promise<Delivery> => record(d, config));
