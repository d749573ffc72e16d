import { jsonSecret, type Connector, type FunctionSpec } from '../../lambdas/connector.js';
import type { Delivery } from './delivery.js';
import { check } from './doctor.js';
import { samegoalProgress, samegoalSummary } from './report.js';
import { settings } from './settings.js';

const dir = 'vendors/samegoal';
const fn = (id: string, file: string, timeoutSeconds: number, access: FunctionSpec['access'], memoryMb = 256): FunctionSpec => ({
  id,
  entry: `${dir}/handlers/${file}.ts`,
  timeoutSeconds,
  memoryMb,
  access,
});

/** S3 → SameGoal: CSVs into a new epoch directory over SFTP, COMPLETE last, through a Transfer Family connector. */
export const samegoal: Connector = {
  name: 'samegoal',
  title: 'SameGoal',
  settings,
  // The Transfer connector's own secret format, so one secret serves the connector and the SFTP Lambda.
  secret: jsonSecret({
    name: 'samegoal-sftp',
    required: ['Username'],
    oneOf: ['PrivateKey', 'Password'],
    publicKeys: ['Username'],
    description: 'SameGoal SFTP login for the Transfer connector and the SFTP Lambda: JSON {"Username": "...", "PrivateKey": "..."} or {"Username": "...", "Password": "..."}. Set after deploying.',
    rotation: 'The SFTP account is issued by SameGoal; AWS cannot rotate it. Rotate it with SameGoal and put the new value here.',
  }),
  pipelines: [
    {
      name: 'samegoal-delivery',
      asl: `${dir}/samegoal-delivery.asl.json`,
      readyTrigger: { outbox: 'samegoal/outbox/' },
      schedule: { setting: 'schedule', namePrefix: 'nightly', input: { batch: 'nightly' } },
      functions: [
        fn('PrepareDelivery', 'prepare-delivery', 540, { readData: ['samegoal/outbox/*', 'state/samegoal/*'], writeData: ['samegoal/staging/*'], state: true }, 512),
        fn('MakeEpochDir', 'make-epoch-dir', 60, { secret: true }),
        fn('StartTransfers', 'start-transfers', 60, { transfer: true }),
        fn('CheckTransfers', 'check-transfers', 60, { transfer: true }),
        fn('VerifyDelivery', 'verify-delivery', 240, { secret: true }),
        fn('DeliverDirect', 'deliver-direct', 840, { secret: true, readData: ['samegoal/outbox/*', 'samegoal/staging/*'] }, 512),
        fn('RecordDelivery', 'record-delivery', 30, { writeData: ['state/samegoal/*'], state: true }),
        fn('ReportFailure', 'report-failure', 60, { secret: true, state: true }),
      ],
    },
  ],
  doctor: check,
  reports: { 'samegoal-delivery': { progress: samegoalProgress, summary: (o) => samegoalSummary(o as Delivery) } },
  local: new URL('./local.ts', import.meta.url),
  infra: new URL('./infra.ts', import.meta.url),
};
