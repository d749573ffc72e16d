import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogItem } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { scrub } from './redact.js';

/**
 * Structured JSON logging on Powertools Logger that cannot print a secret: every line passes
 * one JSON replacer that replaces values under secret-looking keys and scrubs every secret
 * value the process has registered from every string (a message, an error, a nested field).
 */
const SECRET_KEY = /secret|password|passphrase|apikey|api_key|authorization|privatekey|private_key|access_token|accesstoken|refresh_token|credential/i;
const REDACTED = '[REDACTED]';

export { registerSecret, scrub } from './redact.js';

/** The one scrubbing hook: Powertools calls it for every key and value of every line it prints. */
function replacer(key: string, value: unknown): unknown {
  if (key && SECRET_KEY.test(key) && value !== undefined && value !== null && typeof value !== 'object') return REDACTED;
  if (key && SECRET_KEY.test(key) && value && typeof value === 'object') return REDACTED;
  if (typeof value === 'string') return scrub(value);
  return value;
}

export type LogSink = (line: string) => void;
let sink: LogSink = (line) => process.stdout.write(`${line}\n`);

/** The local runtime sends Lambda logs to a file or drops them; in AWS they go to stdout (CloudWatch). */
export function setLogSink(next: LogSink): void {
  sink = next;
}

/** A line that is already a log entry (a bundled function's output, relayed by the local runtime). */
export function emitLine(line: string): void {
  sink(line);
}

/** Powertools Logger, printing through the sink (already scrubbed by the replacer, then once more whole). */
class EtlLogger extends PowertoolsLogger {
  protected override createLogger(options?: ConstructorOptions): EtlLogger {
    return new EtlLogger(options);
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    sink(scrub(JSON.stringify(log.getAttributes(), this.getJsonReplacer())));
  }
}

const root = new EtlLogger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'school-etl-hub', jsonReplacerFn: replacer as never });

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/**
 * A logger whose lines carry these keys (pipeline, task…). Every line goes through the one root
 * logger, so what its middy middleware adds (the Lambda context) is in every line.
 */
export function createLogger(base: Record<string, unknown> = {}): Logger {
  const call = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => root[level](message, { ...base, ...fields } as never);
  return {
    debug: call('debug'),
    info: call('info'),
    warn: call('warn'),
    error: call('error'),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
}

/** The Powertools Logger itself, for its middy middleware (Lambda context in every line). */
export const powertoolsLogger: PowertoolsLogger = root;
