import { verify, type Delivery } from '../delivery.js';
import { config, withSftpSecret } from './common.js';

export const handler = withSftpSecret((event: { delivery: Delivery; what: 'files' | 'complete' }, secret) => verify(event.delivery, config, secret, event.what));
