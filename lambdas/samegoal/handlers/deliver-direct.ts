import { deliverDirect, type Delivery } from '../delivery.js';
import { config, withSftpSecret } from './common.js';

export const handler = withSftpSecret((d: Delivery, secret) => deliverDirect(d, config, secret));
