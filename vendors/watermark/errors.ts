import { EtlError } from '../../lambdas/errors.js';

/** The batch failed validation; nothing was sent. The message lists every problem. */
export class ValidationFailedError extends EtlError {
  constructor(message: string) {
    super('Watermark.ValidationFailed', message);
  }
}

/** The token endpoint refused the client credentials or the audience. */
export class WatermarkAuthError extends EtlError {
  constructor(message: string) {
    super('Watermark.AuthorizationFailed', message);
  }
}

/** Status "In Progress": the state machine's Retry on this name is the polling loop. */
export class ImportInProgressError extends EtlError {
  constructor(importId: string, elapsedSeconds: number) {
    super('Watermark.ImportInProgress', `Import ${importId} is still In Progress after ${elapsedSeconds} s`);
  }
}

export class ImportStuckError extends EtlError {
  constructor(importId: string, elapsedSeconds: number, limit: number) {
    super(
      'Watermark.ImportStuck',
      `Import ${importId} was still In Progress after ${elapsedSeconds} s (limit ${limit} s, maxPollSeconds). It was not submitted again; ` +
        `rerun the same batch to resume polling, and see Data Transactions › Bulk Imports in System Administration.`,
    );
  }
}

/** The upload may or may not have reached Watermark: retrying could import the batch twice. */
export class SubmitUncertainError extends EtlError {
  constructor(message: string) {
    super('Watermark.SubmitUncertain', message);
  }
}
