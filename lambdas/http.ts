import { setTimeout as sleep } from 'node:timers/promises';
import { EtlError, HttpStatusError, TransientError, errorMessage } from './errors.js';
import type { Logger } from './log.js';
import { inSubsegment } from './tracing.js';
import { invocationDeadline } from './deadline.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Backoff before retry n is a random delay in [0, min(maxDelayMs, baseDelayMs * 2^n)] ("full jitter"). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per attempt, headers and body included. */
  timeoutMs: number;
  /** A Retry-After longer than this is cut to it, so one answer cannot stall a Lambda to its timeout. */
  maxRetryAfterMs: number;
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got '${raw}'`);
  return value;
}

/**
 * Read at each request (not at import: a module can be loaded before the local runtime sets
 * its environment); the local runtime and the benchmarks shorten the delays through these variables.
 */
export const defaultRetryPolicy = (): RetryPolicy => ({
  maxAttempts: envInt('HTTP_MAX_ATTEMPTS', 6),
  baseDelayMs: envInt('HTTP_RETRY_BASE_MS', 500),
  maxDelayMs: envInt('HTTP_RETRY_MAX_MS', 20_000),
  timeoutMs: envInt('HTTP_TIMEOUT_MS', 30_000),
  maxRetryAfterMs: envInt('HTTP_MAX_RETRY_AFTER_MS', 60_000),
});

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  /** Never logged and never put in an error: they carry credentials. */
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Parse Retry-After as delta-seconds or an HTTP date. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function backoffMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry));
}

const isRetryableStatus = (status: number) => status === 429 || status >= 500;

/** The URL without its query string: enough to say which endpoint failed. */
const describe = (req: HttpRequest) => `${req.method} ${req.url.split('?')[0]}`;

/**
 * One HTTP exchange with timeouts and retries. Retries 429, 5xx, timeouts and connection
 * failures (including a reset in the middle of the body, since the body is read inside the
 * attempt); answers with any other 4xx at once with HttpStatusError. Returns every status
 * below 400 (202 included) to the caller.
 */
export async function httpRequest(req: HttpRequest, options: { policy?: RetryPolicy; log?: Logger } = {}): Promise<HttpResponse> {
  // One trace subsegment per vendor call, named by method and host (never the query, which may hold ids).
  return inSubsegment(`## ${req.method} ${new URL(req.url).host}`, () => attempts(req, options));
}

/** TLS failures that no retry mends. */
const DETERMINISTIC_CAUSE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|ERR_INVALID_URL/;

async function attempts(req: HttpRequest, options: { policy?: RetryPolicy; log?: Logger }): Promise<HttpResponse> {
  const policy = options.policy ?? defaultRetryPolicy();
  const deadline = invocationDeadline();
  let lastProblem = '';
  let made = 0;
  for (let attempt = 0; attempt < policy.maxAttempts; attempt++) {
    let waitMs: number | undefined;
    // Each attempt ends before the Lambda's own time does, so a hung vendor is a named error, not Sandbox.Timedout.
    const left = deadline - Date.now();
    if (left <= 0) break;
    made++;
    try {
      const res = await fetch(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: AbortSignal.timeout(Math.min(policy.timeoutMs, left)),
      });
      const text = await res.text();
      if (!isRetryableStatus(res.status)) {
        if (res.status >= 400) throw new HttpStatusError(res.status, req.method, req.url.split('?')[0] ?? req.url, text);
        return { status: res.status, headers: res.headers, text };
      }
      lastProblem = `HTTP ${res.status}`;
      const after = retryAfterMs(res.headers.get('retry-after'));
      if (after !== undefined) waitMs = Math.min(after, policy.maxRetryAfterMs);
    } catch (error) {
      if (error instanceof HttpStatusError) throw error;
      // A request that cannot even be built (a header value outside Latin-1…) fails the same way every time: not retried.
      if (error instanceof TypeError && !(error as { cause?: unknown }).cause) {
        throw new EtlError('Etl.RequestInvalid', `${describe(req)} could not be sent: ${error.message}`);
      }
      const code = (error as { cause?: { code?: string } }).cause?.code ?? '';
      if (DETERMINISTIC_CAUSE.test(code)) throw new EtlError('Etl.ConnectionRefused', `${describe(req)} cannot be reached safely: ${code}; retrying would not help`);
      lastProblem = networkProblem(error);
    }
    if (attempt + 1 >= policy.maxAttempts) break;
    const delay = waitMs ?? backoffMs(attempt, policy);
    // No retry that would end after the Lambda's time: give up now, with what was seen.
    if (Date.now() + delay + 1000 >= deadline) break;
    options.log?.warn('retrying HTTP request', { request: describe(req), problem: lastProblem, attempt: attempt + 1, delayMs: delay });
    await sleep(delay);
  }
  const why = Date.now() >= deadline - 1000 ? `the Lambda's time for it ran out after ${made} attempt(s)` : `failed after ${made} attempt(s)`;
  throw new TransientError(`${describe(req)} ${why}; last: ${lastProblem || 'no answer'}`);
}

function networkProblem(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  }
  return errorMessage(error);
}
