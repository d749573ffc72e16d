/**
 * Structured JSON logging that cannot print a secret: values under secret-looking keys are
 * replaced, and every secret value the process has loaded is scrubbed from every string,
 * wherever it appears (a message, an error, a nested field).
 */
const SECRET_KEY = /secret|password|passphrase|apikey|api_key|authorization|privatekey|private_key|access_token|accesstoken|refresh_token|credential/i;
const REDACTED = '[REDACTED]';
const knownSecrets = new Set<string>();

/** Remember a secret value so that no log line can ever contain it. Short values are kept too: they are still secrets. */
export function registerSecret(value: unknown): void {
  if (typeof value === 'string' && value.length > 0) knownSecrets.add(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) registerSecret(v);
}

export function scrub(text: string): string {
  let out = text;
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

function sanitize(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return scrub(value);
  if (value instanceof Error) {
    return { name: value.name, message: scrub(value.message), ...(value.stack ? { stack: scrub(value.stack) } : {}) };
  }
  if (Array.isArray(value)) return value.map((v) => sanitize(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? REDACTED : sanitize(v, depth + 1);
    return out;
  }
  return value;
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
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

export function createLogger(base: Record<string, unknown> = {}): Logger {
  const threshold = ORDER[(process.env.LOG_LEVEL?.toLowerCase() as Level) ?? 'info'] ?? ORDER.info;
  const emit = (level: Level, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < threshold) return;
    const entry = sanitize({ level, time: new Date().toISOString(), message, ...base, ...fields });
    sink(JSON.stringify(entry));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
}
