import { redactUrl, vendorSaid } from './redact.js';

/**
 * Errors whose `name` the state machines match in Retry and Catch. Lambda reports `name` as the
 * errorType, and Step Functions uses that as the state's Error, so these names are an API:
 * the ASL files refer to them and must change with them.
 */
export class EtlError extends Error {
  constructor(name: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

/** Input or configuration that can never succeed; never retried. */
export class InvalidInputError extends EtlError {
  constructor(message: string) {
    super('Etl.InvalidInput', message);
  }
}

/** A remote service kept failing with a retryable fault after our own retries; the ASL retries the task. */
export class TransientError extends EtlError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Etl.Transient', message, options);
  }
}

/** The vendor answered with a non-retryable HTTP status (4xx other than 429). */
export class HttpStatusError extends EtlError {
  /** The raw body, for the client's own parsing; never printed (not enumerable, not in the message). */
  declare readonly body: string;

  constructor(
    readonly status: number,
    readonly method: string,
    readonly url: string,
    body: string,
  ) {
    const said = vendorSaid(body);
    super('Etl.HttpStatus', `${method} ${redactUrl(url)} answered HTTP ${status}${said ? ` (${said})` : ''}`);
    Object.defineProperty(this, 'body', { value: body, enumerable: false });
  }
}

/** A vendor answer the client does not fully understand, named after the vendor: `<Vendor>.UnexpectedResponse`. It is never read as the end of the data. */
export class UnexpectedResponseError extends EtlError {
  constructor(vendor: string, message: string) {
    super(`${vendor}.UnexpectedResponse`, message);
  }
}

/** A secret is missing, unreadable or lacks a key the connection needs. */
export class SecretError extends EtlError {
  constructor(message: string) {
    super('Etl.Secret', message);
  }
}

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A Lambda error's Cause, as Step Functions passes it, is a JSON document; people want its errorMessage. */
export function readableCause(cause: unknown): string {
  if (typeof cause !== 'string') return JSON.stringify(cause);
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // a plain-text cause, as a Fail state or a States.* error gives
  }
  return cause;
}
