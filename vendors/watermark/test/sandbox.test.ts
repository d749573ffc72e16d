import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshRegistry } from '../registry-refresh.js';
import { templatesZip } from '../sandbox/templates.js';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, WATERMARK_AUDIENCE, WatermarkSandbox } from '../sandbox/server.js';

const sandbox = new WatermarkSandbox({ pollsBeforeDone: 1 });
let token = '';

beforeAll(async () => {
  await sandbox.start();
  const res = await fetch(sandbox.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: SANDBOX_CLIENT_ID, client_secret: SANDBOX_CLIENT_SECRET, audience: WATERMARK_AUDIENCE }),
  });
  token = ((await res.json()) as { access_token: string }).access_token;
});
afterAll(() => sandbox.stop());

describe('Watermark sandbox', () => {
  it('checks grant type, client credentials and audience like an OAuth2 server', async () => {
    const ask = async (form: Record<string, string>) => {
      const res = await fetch(sandbox.tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
      return [res.status, ((await res.json()) as { error?: string }).error];
    };
    const ok = { grant_type: 'client_credentials', client_id: SANDBOX_CLIENT_ID, client_secret: SANDBOX_CLIENT_SECRET, audience: WATERMARK_AUDIENCE };
    expect(await ask({ ...ok, grant_type: 'password' })).toEqual([400, 'unsupported_grant_type']);
    expect(await ask({ ...ok, client_secret: 'x' })).toEqual([401, 'invalid_client']);
    expect(await ask({ ...ok, audience: 'https://api.platform.watermarkinsights.com/' })).toEqual([403, 'access_denied']);
  });

  it('refuses a chunked upload with 411, as strict servers do', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${sandbox.url}/v1/import/data`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'multipart/form-data; boundary=x', 'Transfer-Encoding': 'chunked' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('--x\r\nContent-Disposition: form-data; name="filename"; filename="a.zip"\r\n\r\nPK\r\n--x--\r\n');
    });
    expect(status).toBe(411);
  });

  it('classifies the files of an uploaded ZIP by header and fails an import with an unknown one', async () => {
    const zip = await templatesZip();
    const form = new FormData();
    form.set('filename', new Blob([zip], { type: 'application/zip' }), 'templates.zip');
    const res = await fetch(`${sandbox.url}/v1/import/data`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
    expect(res.status).toBe(200);
    const { import_id: id } = (await res.json()) as { import_id: string };
    const status = async () => ((await (await fetch(`${sandbox.url}/v1/import/${id}/status`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { status: string });
    expect((await status()).status).toBe('In Progress');
    expect((await status()).status).toBe('Completed');
    expect(sandbox.imports.at(-1)!.files.every((f) => f.type)).toBe(true);
  });

  it('answers 401 to an expired token', async () => {
    sandbox.expireTokens();
    const res = await fetch(`${sandbox.url}/v1/import/nope/status`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
  });
});

describe('etl watermark registry', () => {
  it('fills each known type with the header of its template and says what it did', async () => {
    const { registry, report } = await refreshRegistry(await templatesZip(), 'templates.zip');
    expect(registry.types.find((t) => t.type === 'person')?.columns).toEqual(['person_id', 'first_name', 'last_name', 'email', 'username', 'status']);
    expect(registry.types.every((t) => t.columns)).toBe(true);
    expect(registry.refreshedFrom).toMatch(/^templates\.zip \(\d{4}-\d{2}-\d{2}\)$/);
    expect(report).toContain('roles.csv: 3 columns');
  });
});
