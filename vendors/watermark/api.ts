import { request as httpRequestRaw, type IncomingMessage } from 'node:http';
import { request as httpsRequestRaw } from 'node:https';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpStatusError, TransientError } from '../../lambdas/errors.js';
import { backoffMs, defaultRetryPolicy, httpRequest, retryAfterMs } from '../../lambdas/http.js';
import { registerSecret, scrub, type Logger } from '../../lambdas/log.js';
import { vendorSaid } from '../../lambdas/redact.js';
import { SubmitUncertainError, WatermarkAuthError } from './errors.js';

export const DEFAULTS = {
  tokenUrl: 'https://auth.watermarkinsights.com/oauth/token',
  audience: 'https://api.platform.watermarkinsights.com',
  apiBaseUrl: 'https://api.platform.watermarkinsights.com',
};

export interface WatermarkSettings {
  tokenUrl: string;
  audience: string;
  apiBaseUrl: string;
  secretId: string;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

/** Tokens are kept per Lambda container, never in a payload; renewed a minute before they expire. */
const tokens = new Map<string, CachedToken>();
const EARLY_MS = 60_000;

export class WatermarkApi {
  constructor(
    private readonly settings: WatermarkSettings,
    private readonly credentials: ClientCredentials,
    private readonly log?: Logger,
  ) {}

  private get cacheKey() {
    return `${this.settings.tokenUrl}|${this.settings.audience}|${this.credentials.clientId}`;
  }

  /** A bearer token, from the cache or the token endpoint; returns when it expires. */
  async token(fresh = false): Promise<CachedToken> {
    const cached = tokens.get(this.cacheKey);
    if (!fresh && cached && cached.expiresAt - EARLY_MS > Date.now()) return cached;
    let res;
    try {
      res = await httpRequest(
        {
          method: 'POST',
          url: this.settings.tokenUrl,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: this.credentials.clientId,
            client_secret: this.credentials.clientSecret,
            audience: this.settings.audience,
          }).toString(),
        },
        { log: this.log },
      );
    } catch (error) {
      if (error instanceof HttpStatusError) throw this.authError(error);
      throw error;
    }
    const body = JSON.parse(res.text) as { access_token?: string; expires_in?: number };
    if (typeof body.access_token !== 'string') throw new WatermarkAuthError(`The token endpoint ${this.settings.tokenUrl} answered without an access_token`);
    // A bearer token is a secret too: from now on no line, error or output can carry it.
    registerSecret(body.access_token);
    const token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
    tokens.set(this.cacheKey, token);
    return token;
  }

  /** Watermark's own troubleshooting list, said for the answer at hand. */
  private authError(error: HttpStatusError): WatermarkAuthError {
    let code = '';
    let description = '';
    try {
      const body = JSON.parse(error.body) as { error?: string; error_description?: string };
      code = body.error ?? '';
      description = scrub(body.error_description ?? '');
    } catch {
      description = vendorSaid(error.body);
    }
    const said = `HTTP ${error.status}${code ? ` ${code}` : ''}${description ? `: ${description}` : ''}`;
    const secret = `secret '${this.settings.secretId}'`;
    if (code === 'invalid_client' || code === 'unauthorized_client' || error.status === 401) {
      return new WatermarkAuthError(
        `Watermark refused the client credentials (${said}). Check clientId and clientSecret in ${secret}: copied exactly, ` +
          `not swapped with each other, from Data Transactions › API Management; they are case-sensitive.`,
      );
    }
    if (code === 'access_denied' || /audience|service not found/i.test(description)) {
      return new WatermarkAuthError(
        `Watermark refused the audience '${this.settings.audience}' (${said}). Check the audience setting: it must be exactly ` +
          `${DEFAULTS.audience}, spelled and capitalized as given.`,
      );
    }
    return new WatermarkAuthError(`The token request was refused (${said}). Check grant type, clientId, clientSecret in ${secret} and the audience '${this.settings.audience}'.`);
  }

  /** GET with a bearer token; a 401 gets one fresh token and one more try. */
  async getJson<T>(path: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const { value } = await this.token(attempt > 0);
      try {
        const res = await httpRequest(
          { method: 'GET', url: `${this.settings.apiBaseUrl}${path}`, headers: { Authorization: `Bearer ${value}`, Accept: 'application/json' } },
          { log: this.log },
        );
        return JSON.parse(res.text) as T;
      } catch (error) {
        if (error instanceof HttpStatusError && error.status === 401 && attempt === 0) {
          this.log?.warn('token refused; fetching a new one', { path });
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * POST /v1/import/data as multipart/form-data, field `filename`, the body streamed from
   * `open()` with an exact Content-Length (no chunked encoding). An answer of 429 or 5xx, or a
   * connection that fails before the whole body is sent, is retried; once the whole body is
   * out, a lost answer is not: the import may exist, and a second POST could import twice.
   */
  async submitZip(fileName: string, size: number, open: () => Promise<Readable>): Promise<string> {
    const boundary = `----etl-hub-${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="filename"; filename="${fileName.replace(/"/g, '')}"\r\nContent-Type: application/zip\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const url = new URL(`${this.settings.apiBaseUrl}/v1/import/data`);
    const policy = defaultRetryPolicy();
    let refreshed = false;
    for (let attempt = 0; attempt < policy.maxAttempts; attempt++) {
      const { value } = await this.token(refreshed);
      const outcome = await postOnce(url, {
        headers: {
          Authorization: `Bearer ${value}`,
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': String(head.length + size + tail.length),
          Accept: 'application/json',
        },
        head,
        tail,
        body: await open(),
        timeoutMs: Math.max(policy.timeoutMs, 300_000),
      });
      const uncertain = (what: string) =>
        new SubmitUncertainError(
          `The ZIP was sent in full, then ${what}; the import may exist in Watermark, so it is not sent again. ` +
            `Check System Administration › Data Transactions › Bulk Imports for ${fileName}; to send it again, rerun the batch with "force": true.`,
        );
      if (outcome.kind === 'answered') {
        const { status, text, retryAfter } = outcome;
        if (status >= 200 && status < 300) {
          let body: Record<string, unknown> | undefined;
          try {
            const parsed = JSON.parse(text) as unknown;
            if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
          } catch {
            // not JSON: below
          }
          // The document shows both "import_id" and "import id".
          const id = body?.import_id ?? body?.['import id'] ?? body?.['import-id'];
          if (typeof id === 'string' && id.length > 0) return id;
          throw uncertain(`Watermark answered HTTP ${status} without an import id (${describeBody(text)})`);
        }
        // A refusal (4xx) proves nothing was imported; a 5xx after the whole body went out does not.
        if (status >= 500 && outcome.bodySent) throw uncertain(`Watermark answered HTTP ${status}`);
        if (status === 401 && !refreshed) {
          refreshed = true;
          continue;
        }
        if (status !== 429 && status < 500) throw new HttpStatusError(status, 'POST', url.origin + url.pathname, text);
        const delay = retryAfterMs(retryAfter) ?? backoffMs(attempt, policy);
        this.log?.warn('retrying the import upload', { status, attempt: attempt + 1, delayMs: delay });
        await sleep(Math.min(delay, policy.maxRetryAfterMs));
        continue;
      }
      if (outcome.bodySent) throw uncertain(`the answer was lost (${outcome.problem})`);
      this.log?.warn('upload failed before the body was sent; retrying', { problem: outcome.problem, attempt: attempt + 1 });
      await sleep(backoffMs(attempt, policy));
    }
    throw new TransientError(`POST /v1/import/data failed after ${policy.maxAttempts} attempts`);
  }
}

/** What a body said, short and without anything that could be a credential: its length and JSON keys. */
function describeBody(text: string): string {
  if (!text) return 'an empty body';
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return `a JSON body with keys ${Object.keys(parsed).join(', ') || 'none'}`;
  } catch {
    // fall through
  }
  return `a ${text.length}-byte body that is not a JSON object`;
}

type PostOutcome =
  | { kind: 'answered'; status: number; text: string; retryAfter: string | null; bodySent: boolean }
  | { kind: 'failed'; bodySent: boolean; problem: string };

function postOnce(
  url: URL,
  options: { headers: Record<string, string>; head: Buffer; tail: Buffer; body: Readable; timeoutMs: number },
): Promise<PostOutcome> {
  return new Promise((resolve) => {
    let bodySent = false;
    let settled = false;
    const done = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      options.body.destroy();
      resolve(outcome);
    };
    const send = url.protocol === 'https:' ? httpsRequestRaw : httpRequestRaw;
    const req = send(url, { method: 'POST', headers: options.headers, timeout: options.timeoutMs }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        done({ kind: 'answered', status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf-8'), retryAfter: (res.headers['retry-after'] as string) ?? null, bodySent }),
      );
      res.on('error', (e) => done({ kind: 'failed', bodySent, problem: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e: NodeJS.ErrnoException) => done({ kind: 'failed', bodySent, problem: e.code ?? e.message }));
    req.write(options.head);
    options.body.on('error', (e) => req.destroy(e));
    options.body.on('end', () => {
      req.end(options.tail, () => {
        bodySent = true;
      });
    });
    options.body.pipe(req, { end: false });
  });
}
