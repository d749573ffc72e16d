import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffMs, httpRequest, retryAfterMs, type RetryPolicy } from '../../lambdas/http.js';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2000, maxRetryAfterMs: 50 };
let server: Server | undefined;

/** A server that plays the given answers in order, one per request. */
async function serve(answers: Array<(res: import('node:http').ServerResponse) => void>): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  server = createServer((_req, res) => {
    const answer = answers[Math.min(hits, answers.length - 1)]!;
    hits++;
    answer(res);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/x?secret-free=1`, hits: () => hits };
}
const status = (code: number, headers: Record<string, string> = {}) => (res: import('node:http').ServerResponse) => {
  res.writeHead(code, headers);
  res.end(JSON.stringify({ code }));
};

afterEach(async () => {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
});

describe('httpRequest', () => {
  it('retries 5xx and 429 and returns the first good answer', async () => {
    const s = await serve([status(503), status(429, { 'Retry-After': '0' }), status(500), status(200)]);
    const res = await httpRequest({ method: 'GET', url: s.url }, { policy });
    expect(res.status).toBe(200);
    expect(s.hits()).toBe(4);
  });

  it('returns 202 to the caller without retrying', async () => {
    const s = await serve([status(202)]);
    expect((await httpRequest({ method: 'GET', url: s.url }, { policy })).status).toBe(202);
    expect(s.hits()).toBe(1);
  });

  it('never retries other 4xx, and its error names method, path and status but not headers', async () => {
    const s = await serve([status(404)]);
    const error = await httpRequest({ method: 'GET', url: s.url, headers: { 'X-CG-API-Secret': 'hush-hush' } }, { policy }).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'Etl.HttpStatus', status: 404 });
    expect((error as Error).message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/x answered HTTP 404/);
    expect((error as Error).message).not.toContain('hush-hush');
    expect(s.hits()).toBe(1);
  });

  it('retries a connection reset in the middle of the body', async () => {
    const s = await serve([
      (res) => {
        res.writeHead(200, { 'Content-Length': '100' });
        res.write('{"Results": [', () => res.socket?.destroy());
      },
      status(200),
    ]);
    const res = await httpRequest({ method: 'GET', url: s.url }, { policy });
    expect(JSON.parse(res.text)).toEqual({ code: 200 });
    expect(s.hits()).toBe(2);
  });

  it('gives up with Etl.Transient naming the last problem after maxAttempts', async () => {
    const s = await serve([status(502)]);
    const error = await httpRequest({ method: 'POST', url: s.url }, { policy }).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'Etl.Transient' });
    expect((error as Error).message).toMatch(/POST .*\/x failed after 4 attempt\(s\); last: HTTP 502/);
    expect(s.hits()).toBe(4);
  });

  it('times out a silent server and retries it', async () => {
    const s = await serve([() => undefined, status(200)]);
    const res = await httpRequest({ method: 'GET', url: s.url }, { policy: { ...policy, timeoutMs: 200 } });
    expect(res.status).toBe(200);
    expect(s.hits()).toBe(2);
  });
});

describe('retry timing rules', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });

  it('backs off exponentially with full jitter, capped', () => {
    const p = { ...policy, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffMs(0, p, () => 0.999)).toBe(99);
    expect(backoffMs(3, p, () => 0.999)).toBe(799);
    expect(backoffMs(10, p, () => 0.999)).toBe(999);
    expect(backoffMs(10, p, () => 0)).toBe(0);
  });
});

describe('the retry budget', () => {
  it('stops retrying a vendor that never answers before the Lambda would time out, with a named error', async () => {
    const { createServer } = await import('node:http');
    const { withInvocationTime } = await import('../../lambdas/deadline.js');
    const server = createServer(() => undefined); // takes the request, never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as { port: number };
    const started = Date.now();
    const error = await withInvocationTime(3000, () =>
      httpRequest({ method: 'GET', url: `http://127.0.0.1:${port}/hang` }, { policy: { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 500, timeoutMs: 30_000, maxRetryAfterMs: 1000 } }),
    ).catch((e: Error) => e);
    server.closeAllConnections();
    server.close();
    expect((error as Error).name).toBe('Etl.Transient');
    expect((error as Error).message).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/hang the Lambda's time for it ran out after \d attempt\(s\); last: timed out/);
    // 3 s left less the reserve (0.3 s): it gave up well before the Lambda's own timeout.
    expect(Date.now() - started).toBeLessThan(3000);
  });

});
