import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini keeps Lambda bundles small (18 KB against 443 KB for the classic API); its messages
// need the English locale, set here once for every schema of the project.
z.config(en());

export { z };
