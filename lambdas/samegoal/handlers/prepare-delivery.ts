import middy from '@middy/core';
import { prepare, type Delivery } from '../delivery.js';
import { config } from './common.js';

export const handler = middy(async (event: { input: unknown; executionName: string }): Promise<Delivery> => prepare(event.input, event.executionName, config));
