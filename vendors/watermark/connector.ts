import { jsonSecret, type Connector } from '../../lambdas/connector.js';
import { check } from './doctor.js';
import type { ImportRun } from './pipeline.js';
import { watermarkProgress, watermarkSummary } from './report.js';
import { settings } from './settings.js';

const dir = 'vendors/watermark';

/** S3 → Watermark: validate a batch of CSVs, zip it, post it to the Bulk Import API, poll it to the end. */
export const watermark: Connector = {
  name: 'watermark',
  title: 'Watermark',
  settings,
  secret: jsonSecret({
    name: 'watermark',
    required: ['clientId', 'clientSecret'],
    description: 'Watermark Bulk Import API: JSON {"clientId": "...", "clientSecret": "..."} from Data Transactions › API Management. Set after deploying.',
    rotation: 'Client credentials are created in Watermark System Administration; AWS cannot rotate them. Rotate them there and put the new value here.',
  }),
  pipelines: [
    {
      name: 'watermark-import',
      asl: `${dir}/watermark-import.asl.json`,
      readyTrigger: { outbox: 'watermark/outbox/' },
      schedule: { setting: 'schedule', namePrefix: 'scheduled', input: { latestReady: true } },
      functions: [
        { id: 'CheckReceipt', entry: `${dir}/handlers/check-receipt.ts`, timeoutSeconds: 30, memoryMb: 256, access: { readData: ['state/watermark/*'], state: true } },
        { id: 'ValidateBatch', entry: `${dir}/handlers/validate-batch.ts`, timeoutSeconds: 840, memoryMb: 512, access: { readData: ['watermark/outbox/*', 'state/watermark/*'] } },
        {
          id: 'ZipBatch',
          entry: `${dir}/handlers/zip-batch.ts`,
          timeoutSeconds: 840,
          memoryMb: 1024,
          access: { readData: ['watermark/outbox/*', 'watermark/zips/*'], writeData: ['watermark/zips/*'] },
        },
        { id: 'Authorize', entry: `${dir}/handlers/authorize.ts`, timeoutSeconds: 30, memoryMb: 256, access: { secret: true } },
        {
          id: 'SubmitImport',
          entry: `${dir}/handlers/submit-import.ts`,
          timeoutSeconds: 840,
          memoryMb: 512,
          access: { secret: true, readData: ['watermark/zips/*', 'state/watermark/*'], writeData: ['state/watermark/*'], deleteData: ['state/watermark/*'] },
        },
        {
          id: 'PollStatus',
          entry: `${dir}/handlers/poll-status.ts`,
          timeoutSeconds: 60,
          memoryMb: 256,
          access: { secret: true, readData: ['state/watermark/*'], writeData: ['state/watermark/*'], state: true },
        },
        { id: 'ReleaseBatch', entry: `${dir}/handlers/release-batch.ts`, timeoutSeconds: 30, memoryMb: 128, access: { state: true } },
      ],
    },
  ],
  doctor: check,
  reports: { 'watermark-import': { progress: watermarkProgress, summary: (o) => watermarkSummary(o as ImportRun) } },
  local: new URL('./local.ts', import.meta.url),
};
