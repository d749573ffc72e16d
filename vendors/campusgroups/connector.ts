import { jsonSecret, type Connector } from '../../lambdas/connector.js';
import { check } from './doctor.js';
import { campusgroupsProgress, campusgroupsSummary } from './report.js';
import { settings } from './settings.js';
import type { ExportSummary } from './summary.js';

const dir = 'vendors/campusgroups';

/** CampusGroups → S3: the Data Export API's query, poll, paginate flow for 23 entities. */
export const campusgroups: Connector = {
  name: 'campusgroups',
  title: 'CampusGroups',
  settings,
  secret: jsonSecret({
    name: 'campusgroups',
    required: ['schoolCode', 'apiSecret'],
    publicKeys: ['schoolCode'],
    description: 'CampusGroups Data Export API: JSON {"schoolCode": "...", "apiSecret": "..."}. Set the value after deploying; the template holds none.',
    rotation: 'The API secret is issued in the CampusGroups admin page; AWS cannot rotate it. Rotate it there and put the new value here.',
  }),
  pipelines: [
    {
      name: 'campusgroups-export',
      asl: `${dir}/campusgroups-export.asl.json`,
      schedule: { setting: 'schedule', namePrefix: 'nightly', input: {} },
      functions: [
        { id: 'PlanExport', entry: `${dir}/handlers/plan-export.ts`, timeoutSeconds: 60, memoryMb: 256, access: { secret: true, readData: ['state/campusgroups/*'], state: true } },
        { id: 'StartQuery', entry: `${dir}/handlers/start-query.ts`, timeoutSeconds: 60, memoryMb: 256, access: { secret: true } },
        {
          id: 'ExportPages',
          entry: `${dir}/handlers/export-pages.ts`,
          timeoutSeconds: 900,
          memoryMb: 512,
          access: {
            secret: true,
            readData: ['campusgroups/*', 'state/campusgroups/*'],
            writeData: ['campusgroups/*', 'state/campusgroups/*'],
            deleteData: ['campusgroups/*'],
          },
        },
        { id: 'Summarize', entry: `${dir}/handlers/summarize.ts`, timeoutSeconds: 30, memoryMb: 128, access: { state: true } },
      ],
    },
  ],
  doctor: check,
  reports: { 'campusgroups-export': { progress: campusgroupsProgress, summary: (o) => campusgroupsSummary(o as ExportSummary) } },
  local: new URL('./local.ts', import.meta.url),
};
