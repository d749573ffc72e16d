import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEnv } from './helpers/local.js';

// `etl secrets set` as an operator runs it after deploying: the secret the stack created,
// reached through AWS_ENDPOINT_URL_SECRETS_MANAGER (here the local endpoint of this test).
let env: Awaited<ReturnType<typeof startEnv>>;
let dir: string;
let config: string;
const ID = 'Springfield/gocontractor';
const KEY = 'fake-gocontractor-key-0123456789';

beforeAll(async () => {
  env = await startEnv();
  dir = mkdtempSync(join(tmpdir(), 'secrets-set-'));
  config = join(dir, 'district.json');
  writeFileSync(
    config,
    JSON.stringify({
      stackName: 'Springfield',
      timeZone: 'America/Chicago',
      campusgroups: { enabled: false },
      watermark: { enabled: false },
      gocontractor: { enabled: true, baseUrl: 'https://api.gocontractor.example' },
    }),
  );
});
afterAll(async () => {
  await env?.stop();
});
beforeEach(() => {
  // What the stack creates: the secret, with a placeholder value.
  env.secrets.set(ID, {});
});

const etl = (stdin: string | undefined, ...args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['bin/etl.mjs', 'secrets', 'set', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });

const file = (value: unknown) => {
  const path = join(dir, `${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(value));
  return path;
};

describe('etl secrets set', () => {
  it('puts a checked secret from a file, and prints its keys, never its value', async () => {
    const res = await etl(undefined, 'gocontractor', '--deploy-config', config, '--from-file', file({ apiKey: KEY, expiresOn: '2027-06-30' }));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^secret 'Springfield\/gocontractor' set with apiKey, expiresOn \(version local-\d+\); check the connection with: etl doctor --deploy-config /);
    expect(JSON.parse(env.secrets.get(ID)!)).toEqual({ apiKey: KEY, expiresOn: '2027-06-30' });
    expect(res.stdout + res.stderr).not.toContain(KEY);
  });

  it('reads standard input when it is not a terminal', async () => {
    const res = await etl(JSON.stringify({ apiKey: KEY }), 'gocontractor', '--deploy-config', config);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(env.secrets.get(ID)!)).toEqual({ apiKey: KEY });
  });

  it.each([
    [{ apikey: KEY }, "has no key 'apikey'; did you mean 'apiKey'?"],
    [{ apiKey: KEY, expiresOn: '30/06/2027' }, 'expiresOn must match'],
    [{ apiKey: 'abc' }, 'has apiKey shorter than 6 characters'],
    [{}, 'lacks apiKey'],
  ])('refuses %j before sending anything (exit 2), naming the key and not the value', async (value, message) => {
    const res = await etl(undefined, 'gocontractor', '--deploy-config', config, '--from-file', file(value));
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
    expect(res.stderr).toContain('nothing was changed');
    expect(res.stderr).not.toContain(KEY);
    expect(env.secrets.get(ID)).toBe('{}');
  });

  it('says to deploy first when the stack has not created the secret (exit 1), and names a misspelled connection (exit 2)', async () => {
    env.secrets.delete(ID);
    const missing = await etl(undefined, 'gocontractor', '--deploy-config', config, '--from-file', file({ apiKey: KEY }));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("secret 'Springfield/gocontractor' does not exist: deploy the stack first (npx cdk deploy -c config=");
    const misspelled = await etl(undefined, 'gocontractors', '--deploy-config', config);
    expect(misspelled.code).toBe(2);
    expect(misspelled.stderr).toContain("Unknown connection 'gocontractors'; did you mean 'gocontractor'?");
    const disabled = await etl(undefined, 'watermark', '--deploy-config', config);
    expect(disabled.code).toBe(2);
    expect(disabled.stderr).toContain('watermark is not enabled, so the stack has no secret for it');
  });
});
