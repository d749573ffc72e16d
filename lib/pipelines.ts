/**
 * What each pipeline is made of: its state machine file and the Lambdas its Task states
 * name through `${…FunctionArn}` placeholders. The CDK app deploys from this list and the
 * local runtime runs from it, so both always agree on which handler serves which state.
 * Pure data: importing it loads no CDK or SDK code.
 */
export interface PipelineFunction {
  /** The ASL placeholder, without `${}`. */
  substitution: string;
  /** Handler module, from the project root; it exports `handler`. */
  entry: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** What it may touch, for least-privilege grants. */
  access: { secret?: boolean; transfer?: boolean; readData?: string[]; writeData?: string[]; deleteData?: string[] };
}

export interface Pipeline {
  name: string;
  asl: string;
  functions: PipelineFunction[];
}

export const CAMPUSGROUPS_EXPORT: Pipeline = {
  name: 'campusgroups-export',
  asl: 'vendors/campusgroups/campusgroups-export.asl.json',
  functions: [
    {
      substitution: 'PlanExportFunctionArn',
      entry: 'vendors/campusgroups/handlers/plan-export.ts',
      timeoutSeconds: 60,
      memoryMb: 256,
      access: { secret: true, readData: ['state/campusgroups/*'] },
    },
    {
      substitution: 'StartQueryFunctionArn',
      entry: 'vendors/campusgroups/handlers/start-query.ts',
      timeoutSeconds: 60,
      memoryMb: 256,
      access: { secret: true },
    },
    {
      substitution: 'ExportPagesFunctionArn',
      entry: 'vendors/campusgroups/handlers/export-pages.ts',
      timeoutSeconds: 900,
      memoryMb: 512,
      access: {
        secret: true,
        readData: ['campusgroups/*', 'state/campusgroups/*'],
        writeData: ['campusgroups/*', 'state/campusgroups/*'],
        deleteData: ['campusgroups/*'],
      },
    },
    {
      substitution: 'SummarizeFunctionArn',
      entry: 'vendors/campusgroups/handlers/summarize.ts',
      timeoutSeconds: 30,
      memoryMb: 128,
      access: {},
    },
  ],
};

export const WATERMARK_IMPORT: Pipeline = {
  name: 'watermark-import',
  asl: 'vendors/watermark/watermark-import.asl.json',
  functions: [
    {
      substitution: 'CheckReceiptFunctionArn',
      entry: 'vendors/watermark/handlers/check-receipt.ts',
      timeoutSeconds: 30,
      memoryMb: 256,
      access: { readData: ['state/watermark/*'] },
    },
    {
      substitution: 'ValidateBatchFunctionArn',
      entry: 'vendors/watermark/handlers/validate-batch.ts',
      timeoutSeconds: 840,
      memoryMb: 512,
      access: { readData: ['watermark/outbox/*', 'state/watermark/*'] },
    },
    {
      substitution: 'ZipBatchFunctionArn',
      entry: 'vendors/watermark/handlers/zip-batch.ts',
      timeoutSeconds: 840,
      memoryMb: 1024,
      access: { readData: ['watermark/outbox/*', 'watermark/zips/*'], writeData: ['watermark/zips/*'] },
    },
    {
      substitution: 'AuthorizeFunctionArn',
      entry: 'vendors/watermark/handlers/authorize.ts',
      timeoutSeconds: 30,
      memoryMb: 256,
      access: { secret: true },
    },
    {
      substitution: 'SubmitImportFunctionArn',
      entry: 'vendors/watermark/handlers/submit-import.ts',
      timeoutSeconds: 840,
      memoryMb: 512,
      access: { secret: true, readData: ['watermark/zips/*', 'state/watermark/*'], writeData: ['state/watermark/*'], deleteData: ['state/watermark/*'] },
    },
    {
      substitution: 'PollStatusFunctionArn',
      entry: 'vendors/watermark/handlers/poll-status.ts',
      timeoutSeconds: 60,
      memoryMb: 256,
      access: { secret: true, readData: ['state/watermark/*'], writeData: ['state/watermark/*'] },
    },
  ],
};

const sg = (name: string, file: string, timeoutSeconds: number, access: PipelineFunction['access'], memoryMb = 256): PipelineFunction => ({
  substitution: `${name}FunctionArn`,
  entry: `vendors/samegoal/handlers/${file}.ts`,
  timeoutSeconds,
  memoryMb,
  access,
});

export const SAMEGOAL_DELIVERY: Pipeline = {
  name: 'samegoal-delivery',
  asl: 'vendors/samegoal/samegoal-delivery.asl.json',
  functions: [
    sg('PrepareDelivery', 'prepare-delivery', 540, {
      readData: ['samegoal/outbox/*', 'state/samegoal/*'],
      writeData: ['samegoal/staging/*'],
    }, 512),
    sg('MakeEpochDir', 'make-epoch-dir', 60, { secret: true }),
    sg('StartTransfers', 'start-transfers', 60, { transfer: true }),
    sg('CheckTransfers', 'check-transfers', 60, { transfer: true }),
    sg('VerifyDelivery', 'verify-delivery', 240, { secret: true }),
    sg('DeliverDirect', 'deliver-direct', 840, { secret: true, readData: ['samegoal/outbox/*', 'samegoal/staging/*'] }, 512),
    sg('RecordDelivery', 'record-delivery', 30, { writeData: ['state/samegoal/*'] }),
    sg('ReportFailure', 'report-failure', 60, { secret: true }),
  ],
};

export const GOCONTRACTOR_EXPORT: Pipeline = {
  name: 'gocontractor-export',
  asl: 'vendors/gocontractor/gocontractor-export.asl.json',
  functions: [
    { substitution: 'GcPlanExportFunctionArn', entry: 'vendors/gocontractor/handlers/plan-export.ts', timeoutSeconds: 60, memoryMb: 256, access: { secret: true } },
    {
      substitution: 'GcExportPagesFunctionArn',
      entry: 'vendors/gocontractor/handlers/export-pages.ts',
      timeoutSeconds: 900,
      memoryMb: 512,
      access: { secret: true, readData: ['gocontractor/*'], writeData: ['gocontractor/*'], deleteData: ['gocontractor/*'] },
    },
    { substitution: 'GcSummarizeFunctionArn', entry: 'vendors/gocontractor/handlers/summarize.ts', timeoutSeconds: 30, memoryMb: 128, access: {} },
  ],
};

/** Not a state machine task: started by EventBridge when a _READY marker lands, it starts a machine. */
export const READY_TRIGGER_ENTRY = 'lambdas/handlers/start-on-ready.ts';

export const PIPELINES: Record<string, Pipeline> = {
  [CAMPUSGROUPS_EXPORT.name]: CAMPUSGROUPS_EXPORT,
  [WATERMARK_IMPORT.name]: WATERMARK_IMPORT,
  [SAMEGOAL_DELIVERY.name]: SAMEGOAL_DELIVERY,
  [GOCONTRACTOR_EXPORT.name]: GOCONTRACTOR_EXPORT,
};
