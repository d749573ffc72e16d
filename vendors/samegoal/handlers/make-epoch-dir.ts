import type { Delivery } from '../delivery.js';
import { makeEpochDir } from '../on-server.js';
import { events } from '../events.js';
import { config, withSftpSecret } from './common.js';

export const handler = withSftpSecret('MakeEpochDir', events.delivery, (d: Delivery, secret) => makeEpochDir(d, config, secret));
