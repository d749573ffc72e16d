import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SFTP_SANDBOX_PASSWORD, SFTP_SANDBOX_USER } from '../../vendors/samegoal/sandbox/sftp-server.js';
import { startEnv } from '../helpers/local.js';

// `etl doctor` in its deployed mode: the stack's secret names from a deployment config, read
// through the standard AWS_ENDPOINT_URL_SECRETS_MANAGER (here the local endpoint of this test).
let env: Awaited<ReturnType<typeof startEnv>>;

beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env?.stop();
});

const etl = (...args: string[]) =>
  new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = spawn(process.execPath, ['bin/etl.mjs', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('close', (code) => resolve({ code, stdout }));
  });

describe('etl doctor against a deployment', () => {
  it('reads <stackName>/<connection> secrets and checks the endpoints of the deployment config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'doctor-deployed-'));
    const config = join(dir, 'district.json');
    writeFileSync(
      config,
      JSON.stringify({
        stackName: 'Springfield',
        timeZone: 'America/Chicago',
        campusgroups: { enabled: false },
        watermark: { enabled: false },
        samegoal: { enabled: true, sftpUrl: env.samegoal.url, trustedHostKeys: [env.samegoal.sftp!.hostPublicKey] },
      }),
    );
    const missing = await etl('doctor', '--deploy-config', config);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/^FAILURE\s+samegoal\s+secret\s+secret 'Springfield\/samegoal-sftp' is missing/m);
    env.secrets.set('Springfield/samegoal-sftp', { Username: SFTP_SANDBOX_USER, Password: SFTP_SANDBOX_PASSWORD });
    const ok = await etl('doctor', '--deploy-config', config);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('3 checks: 0 failures, 0 warnings');
    expect(ok.stdout).not.toContain(SFTP_SANDBOX_PASSWORD);
  });
});
