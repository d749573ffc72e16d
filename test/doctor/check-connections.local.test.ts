import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GC_SANDBOX_KEY } from '../../vendors/gocontractor/sandbox/server.js';
import { GOCONTRACTOR_SECRET_ID, startEnv } from '../helpers/local.js';

// The Lambda that runs the checks daily in AWS, against the local sandboxes, with metrics on.
let env: Awaited<ReturnType<typeof startEnv>>;

beforeAll(async () => {
  env = await startEnv();
  process.env.DOCTOR_CONNECTIONS = 'campusgroups,watermark,gocontractor';
});
afterAll(async () => {
  delete process.env.DOCTOR_CONNECTIONS;
  await env?.stop();
});

describe('daily connection checks', () => {
  it('publishes ConnectionHealthy and ConnectionWarning per connection as CloudWatch embedded metrics', async () => {
    env.secrets.set(GOCONTRACTOR_SECRET_ID, { apiKey: GC_SANDBOX_KEY, expiresOn: new Date(Date.now() + 2.5 * 86_400_000).toISOString().slice(0, 10) });
    env.gocontractor.sandbox.configure({ forbidden: false });
    const { handler } = await import('../../doctor/check-connections.js');
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const local = process.env.ETL_LOCAL_RUNTIME;
    delete process.env.ETL_LOCAL_RUNTIME;
    try {
      expect(await handler({}, { functionName: 'CheckConnections', awsRequestId: 'local-test', getRemainingTimeInMillis: () => 60_000 } as never)).toEqual({ failures: 0, warnings: 1 });
    } finally {
      process.env.ETL_LOCAL_RUNTIME = local;
      spy.mockRestore();
    }
    const metrics = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((m) => '_aws' in m);
    expect(metrics.map((m) => [m.Connection, m.ConnectionHealthy, m.ConnectionWarning])).toEqual([
      ['campusgroups', 1, 0],
      ['watermark', 1, 0],
      ['gocontractor', 1, 1],
    ]);
    expect(JSON.stringify(metrics[0])).toContain('"Namespace":"SchoolEtlHub"');
    expect(lines.join('')).not.toContain(GC_SANDBOX_KEY);
  });
});
