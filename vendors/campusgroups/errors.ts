import { EtlError } from '../../lambdas/errors.js';

/** The school code or API secret was refused; retrying cannot help. */
export class CampusGroupsAuthError extends EtlError {
  constructor(message: string) {
    super('CampusGroups.AuthenticationFailed', message);
  }
}

/** HTTP 202: the query is still running. The state machine's Retry on this name is the polling loop. */
export class QueryNotReadyError extends EtlError {
  constructor(entity: string, queryId: string, elapsedSeconds: number) {
    super('CampusGroups.QueryNotReady', `Query ${queryId} for entity '${entity}' is still running after ${elapsedSeconds} s`);
  }
}

/** The query stayed at 202 past the ceiling. */
export class QueryNeverReadyError extends EtlError {
  constructor(entity: string, queryId: string, elapsedSeconds: number, limitSeconds: number) {
    super(
      'CampusGroups.QueryNeverReady',
      `Query ${queryId} for entity '${entity}' was still not ready after ${elapsedSeconds} s (limit ${limitSeconds} s, ` +
        `queryReadyTimeoutSeconds); '${entity}' was not exported in this run and its cursor did not move`,
    );
  }
}

/** A 200 answer whose body is not the documented {Results, NextToken}. */
export class CampusGroupsProtocolError extends EtlError {
  constructor(message: string) {
    super('CampusGroups.UnexpectedResponse', message);
  }
}
