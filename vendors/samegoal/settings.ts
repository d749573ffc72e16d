import { defineSettings, hostKey, intIn, schedule, sftpUrl } from '../../lambdas/settings.js';
import { z } from '../../lambdas/zod.js';

/** samegoal-delivery's settings: the `samegoal` section of the deployment config, and its Lambdas' environment. */
export const settings = defineSettings({
  prefix: 'SAMEGOAL',
  schema: z.strictObject({
    enabled: z._default(z.boolean(), false),
    sftpUrl: z._default(sftpUrl(), ''),
      trustedHostKeys: z._default(z.array(hostKey()), []),
      transport: z._default(z.enum(['connector', 'direct']), 'connector'),
      mode: z._default(z.enum(['epoch', 'auto']), 'epoch'),
      schedule: z._default(z.nullable(schedule()), null),
      massChangePercent: z._default(z.number().check(z.gte(0, 'must be a percentage from 0 to 100'), z.lte(100, 'must be a percentage from 0 to 100')), 10),
      uploadDir: z._default(z.string().check(z.regex(/^\/\S*$/, 'must be an absolute path on the server')), '/upload'),
      maxTransferAttempts: z._default(intIn(1, 10), 3),
    maxTransferChecks: z._default(intIn(1, 2000), 360),
  }),
  check: (v) => {
    if (!v.enabled) return undefined;
    if (!v.sftpUrl) return { field: 'sftpUrl', problem: 'is needed when samegoal.enabled is true' };
    if (v.trustedHostKeys.length === 0) return { field: 'trustedHostKeys', problem: 'needs at least one host key when samegoal.enabled is true: ask SameGoal for it, never trust on first use' };
    return undefined;
  },
  runtime: ['sftpUrl', 'trustedHostKeys', 'transport', 'mode', 'massChangePercent', 'uploadDir', 'maxTransferAttempts', 'maxTransferChecks'],
  docs: {
    enabled: 'deploy samegoal-delivery (needs `sftpUrl` and `trustedHostKeys`)',
    sftpUrl: "`sftp://host[:port]` of the district's SameGoal SFTP account",
    trustedHostKeys: 'the server\'s public host keys ("ssh-ed25519 AAAA…"), pinned by the connector and the SFTP Lambda',
    transport: '`connector` (AWS Transfer Family SFTP connector) or `direct` (every step over SFTP from a Lambda)',
    mode: '`epoch` (`/upload/<YYYYMMDD-HHMMSS>/` + `COMPLETE`) or `auto` (`<name>_auto.csv` into `/upload/`)',
    schedule: 'optional `cron()` delivering `samegoal/outbox/nightly/`; `null` for none (drops start runs anyway)',
    massChangePercent: 'a delivery whose students or guardians drop by more than this against the last one stops, unless `allowMassChange`',
    uploadDir: 'the upload directory on the server',
    maxTransferAttempts: 'connector transfers of a file that reports FAILED are started again up to this many times',
    maxTransferChecks: 'checks of unfinished connector transfers (every 5–10 s) before the delivery fails with `SameGoal.TransferStuck` (360: about an hour)',
  },
});
