import type { Delivery } from '../delivery.js';
import { verify } from '../on-server.js';
import { events } from '../events.js';
import { config, withSftpSecret } from './common.js';

export const handler = withSftpSecret('VerifyDelivery', events.verify, (event: { delivery: Delivery; what: 'files' | 'complete' }, secret) => verify(event.delivery, config, secret, event.what));
