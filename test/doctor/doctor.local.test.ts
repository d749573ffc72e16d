import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_SCHOOL, SANDBOX_SECRET } from '../../vendors/campusgroups/sandbox/server.js';
import { GC_SANDBOX_KEY } from '../../vendors/gocontractor/sandbox/server.js';
import { generateEd25519 } from '../../vendors/samegoal/sandbox/keys.js';
import { SFTP_SANDBOX_PASSWORD, SFTP_SANDBOX_USER } from '../../vendors/samegoal/sandbox/sftp-server.js';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../../vendors/watermark/sandbox/server.js';
import { CAMPUSGROUPS_SECRET_ID, GOCONTRACTOR_SECRET_ID, SAMEGOAL_SECRET_ID, WATERMARK_SECRET_ID, startEnv } from '../helpers/local.js';

let env: Awaited<ReturnType<typeof startEnv>>;
let doctor: typeof import('../../doctor/checks.js');
let targets: import('../../doctor/checks.js').DoctorTarget[];

beforeAll(async () => {
  env = await startEnv();
  doctor = await import('../../doctor/checks.js');
  targets = doctor.targetsFromEnv(undefined);
});
afterAll(async () => {
  await env?.stop();
});
beforeEach(() => {
  env.secrets.set(CAMPUSGROUPS_SECRET_ID, { schoolCode: SANDBOX_SCHOOL, apiSecret: SANDBOX_SECRET });
  env.secrets.set(WATERMARK_SECRET_ID, { clientId: SANDBOX_CLIENT_ID, clientSecret: SANDBOX_CLIENT_SECRET });
  env.secrets.set(SAMEGOAL_SECRET_ID, { Username: SFTP_SANDBOX_USER, Password: SFTP_SANDBOX_PASSWORD });
  env.secrets.set(GOCONTRACTOR_SECRET_ID, { apiKey: GC_SANDBOX_KEY, expiresOn: '2099-12-31' });
  env.gocontractor.sandbox.configure({ forbidden: false });
});

const SECRETS = [SANDBOX_SECRET, SANDBOX_CLIENT_SECRET, SFTP_SANDBOX_PASSWORD, GC_SANDBOX_KEY];

async function check(t = targets, options: { timeZone?: string } = {}) {
  const lines = await doctor.runDoctor(t, options);
  const text = doctor.formatDoctor(lines);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  const line = (connection: string, check: string) => lines.find((l) => l.connection === connection && l.check === check);
  return { lines, text, line };
}

describe('etl doctor', () => {
  it('passes every check of healthy connections, one line each', async () => {
    const { lines } = await check();
    expect(lines.map((l) => `${l.connection}/${l.check}/${l.verdict}`)).toEqual([
      'campusgroups/secret/ok', 'campusgroups/auth/ok',
      'watermark/secret/ok', 'watermark/auth/ok',
      'samegoal/secret/ok', 'samegoal/auth/ok', 'samegoal/upload/ok',
      'gocontractor/secret/ok', 'gocontractor/expiry/ok', 'gocontractor/auth Worker/ok', 'gocontractor/auth Account/ok',
    ]);
  });

  it('reports a missing secret and a secret missing a key', async () => {
    env.secrets.delete(WATERMARK_SECRET_ID);
    env.secrets.set(CAMPUSGROUPS_SECRET_ID, { schoolCode: SANDBOX_SCHOOL });
    const { line } = await check();
    expect(line('watermark', 'secret')).toMatchObject({ verdict: 'failure', detail: expect.stringContaining(`secret '${WATERMARK_SECRET_ID}' is missing`) });
    expect(line('campusgroups', 'secret')).toMatchObject({ verdict: 'failure', detail: `secret '${CAMPUSGROUPS_SECRET_ID}' lacks apiSecret` });
    expect(line('campusgroups', 'auth')).toBeUndefined();
  });

  it('says to check for swapped Watermark credentials, and for the audience spelling', async () => {
    env.secrets.set(WATERMARK_SECRET_ID, { clientId: SANDBOX_CLIENT_SECRET, clientSecret: SANDBOX_CLIENT_ID });
    expect((await check()).line('watermark', 'auth')).toMatchObject({ verdict: 'failure', detail: expect.stringMatching(/not swapped with each other/) });
    env.secrets.set(WATERMARK_SECRET_ID, { clientId: SANDBOX_CLIENT_ID, clientSecret: SANDBOX_CLIENT_SECRET });
    const wrongAudience = targets.map((t) => (t.vendor.name === 'watermark' ? { ...t, settings: { ...t.settings, audience: 'https://api.platform.watermarkinsights.com/v1' } } : t));
    expect((await check(wrongAudience)).line('watermark', 'auth')).toMatchObject({ verdict: 'failure', detail: expect.stringMatching(/refused the audience .* spelled and capitalized/) });
  });

  it('names a wrong CampusGroups school code', async () => {
    env.secrets.set(CAMPUSGROUPS_SECRET_ID, { schoolCode: 'demo-colege', apiSecret: SANDBOX_SECRET });
    expect((await check()).line('campusgroups', 'auth')).toMatchObject({ verdict: 'failure', detail: expect.stringContaining("Unknown school code 'demo-colege'") });
  });

  it('fails an SFTP server whose host key changed', async () => {
    const changed = targets.map((t) => (t.vendor.name === 'samegoal' ? { ...t, settings: { ...t.settings, trustedHostKeys: [generateEd25519().public] } } : t));
    expect((await check(changed)).line('samegoal', 'auth')).toMatchObject({ verdict: 'failure', detail: expect.stringMatching(/offered host key SHA256:\S+, which is not a trusted host key/) });
  });

  it('warns of a GoContractor key expiring in 3 days, and of a secret without expiresOn', async () => {
    const timeZone = 'America/Chicago';
    const today = new Intl.DateTimeFormat('en-CA', { timeZone }).format(Date.now());
    const soon = new Date(Date.parse(`${today}T12:00:00Z`) + 3 * 86_400_000).toISOString().slice(0, 10);
    env.secrets.set(GOCONTRACTOR_SECRET_ID, { apiKey: GC_SANDBOX_KEY, expiresOn: soon });
    expect((await check(targets, { timeZone })).line('gocontractor', 'expiry')).toMatchObject({ verdict: 'warning', detail: `the key expires on ${soon}, in 3 days: renew it in Settings › API Integrations` });
    env.secrets.set(GOCONTRACTOR_SECRET_ID, { apiKey: GC_SANDBOX_KEY });
    expect((await check()).line('gocontractor', 'expiry')).toMatchObject({ verdict: 'warning', detail: expect.stringMatching(/has no expiresOn, so nothing warns before the key stops working: add "expiresOn": "YYYY-MM-DD"/) });
  });

  it('probes Worker and Account, since a key can be refused on one and not the other; a 403 says what to check', async () => {
    env.gocontractor.sandbox.configure({ forbidden: ['Worker'] });
    const { line } = await check();
    expect(line('gocontractor', 'auth Account')).toMatchObject({ verdict: 'ok' });
    expect(line('gocontractor', 'auth Worker')).toMatchObject({ verdict: 'failure', detail: expect.stringMatching(/HTTP 403.*scoped to the projects.*Can Read Qualification Data/) });
    env.gocontractor.sandbox.configure({ forbidden: true });
    expect((await check()).line('gocontractor', 'auth Account')).toMatchObject({ verdict: 'failure' });
  });
});
