import type { Delivery } from '../delivery.js';
import { deliverDirect } from '../on-server.js';
import { events } from '../events.js';
import { config, withSftpSecret } from './common.js';

export const handler = withSftpSecret('DeliverDirect', events.delivery, (d: Delivery, secret) => deliverDirect(d, config, secret));
