import { jsonSecret, type Connector } from '../../lambdas/connector.js';
import { check } from './doctor.js';
import { gocontractorProgress, gocontractorSummary } from './report.js';
import { settings } from './settings.js';

const dir = 'vendors/gocontractor';

/** GoContractor → S3: workers and accounts through the integration API, with a project-scoped, expiring key. */
export const gocontractor: Connector = {
  name: 'gocontractor',
  title: 'GoContractor',
  settings,
  secret: jsonSecret({
    name: 'gocontractor',
    required: ['apiKey'],
    optional: { expiresOn: /^\d{4}-\d{2}-\d{2}$/ },
    publicKeys: ['expiresOn'],
    description: 'GoContractor API key: JSON {"apiKey": "...", "expiresOn": "YYYY-MM-DD" (optional)} from Settings › API Integrations. Set after deploying.',
    rotation: 'The API key is created in the GoContractor admin portal; AWS cannot rotate it. Replace it there and put the new value here.',
  }),
  pipelines: [
    {
      name: 'gocontractor-export',
      asl: `${dir}/gocontractor-export.asl.json`,
      schedule: { setting: 'schedule', namePrefix: 'nightly', input: {} },
      functions: [
        { id: 'GcPlanExport', entry: `${dir}/handlers/plan-export.ts`, timeoutSeconds: 60, memoryMb: 256, access: { secret: true, state: true } },
        {
          id: 'GcExportPages',
          entry: `${dir}/handlers/export-pages.ts`,
          timeoutSeconds: 900,
          memoryMb: 512,
          access: { secret: true, readData: ['gocontractor/*'], writeData: ['gocontractor/*'], deleteData: ['gocontractor/*'] },
        },
        { id: 'GcSummarize', entry: `${dir}/handlers/summarize.ts`, timeoutSeconds: 30, memoryMb: 128, access: { state: true } },
      ],
    },
  ],
  doctor: check,
  reports: { 'gocontractor-export': { progress: gocontractorProgress, summary: (o) => gocontractorSummary(o as Parameters<typeof gocontractorSummary>[0]) } },
  local: new URL('./local.ts', import.meta.url),
};
