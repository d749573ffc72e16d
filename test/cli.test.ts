import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CampusGroupsSandbox } from '../vendors/campusgroups/sandbox/server.js';
import { registeredForms, registerSecret } from '../lambdas/redact.js';

// The `etl` command as a user runs it: a separate process, its stdout, stderr and exit status.
const etl = (...args: string[]) => etlWith({}, ...args);
const etlWith = (extra: Record<string, string>, ...args: string[]) => {
  const env = { ...process.env, ...extra };
  delete env.AWS_ENDPOINT_URL_S3;
  const res = spawnSync(process.execPath, ['bin/etl.mjs', ...args], { encoding: 'utf-8', env, timeout: 90_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
};

/** The same, without blocking this process: for runs against a server living in the test. */
const etlAsync = (...args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['bin/etl.mjs', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

describe('etl CLI', () => {
  it('runs campusgroups-export locally, prints progress and a summary, and ends with the output as JSON', () => {
    const res = etl('local', 'campusgroups-export', '--input', '{"entities":["events","users"],"updatedStart":"2026-01-01"}', '--json');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/planned a backfill export of 2 entities/);
    expect(res.stdout).toMatch(/events\s+ok\s+[\d,]+/);
    const last = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as { status: string; totals: { entities: number } };
    expect(last).toMatchObject({ status: 'succeeded', totals: { entities: 2 } });
  });

  it('exits 1 and prints the error name and cause when the execution fails', async () => {
    // A CampusGroups-compatible server started here; the config points the run at it with a secret it refuses.
    const server = new CampusGroupsSandbox({ school: 'demo-college', apiSecret: 'fake-right-secret' });
    const baseUrl = await server.start();
    const dir = mkdtempSync(join(tmpdir(), 'etl-cli-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ campusgroups: { baseUrl, schoolCode: 'demo-college', apiSecret: 'fake-wrong-secret' } }));
    const res = await etlAsync('local', 'campusgroups-export', '--config', config, '--json');
    await server.stop();
    expect(server.requests.map((r) => r.status)).toEqual([401]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('error: CampusGroups.AuthenticationFailed');
    expect(res.stdout).toContain("cause: CampusGroups refused the credentials for school code 'demo-college'");
    expect(`${res.stdout}${res.stderr}`).not.toContain('fake-wrong-secret');
    expect(JSON.parse(res.stdout.trim().split('\n').at(-1)!)).toMatchObject({ status: 'FAILED', error: 'CampusGroups.AuthenticationFailed' });
  });

  it('runs watermark-import locally and fails, exit 1, naming a batch that has no files', () => {
    const res = etl('local', 'watermark-import', '--input', '{"batch":"2026-11-22"}');
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('error: Watermark.ValidationFailed');
    expect(res.stdout).toMatch(/cause: Batch '2026-11-22' has no files under s3:\/\/etl-hub-local-data\/watermark\/outbox\/2026-11-22\/; nothing was sent to Watermark/);
    const bad = etl('local', 'watermark-import', '--input', '{"batch":"../etc"}');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('error: Etl.InvalidInput');
    expect(bad.stdout).toContain('batch must be a folder name under watermark/outbox/');
  });

  it('runs samegoal-delivery locally and fails, exit 1, when students.csv is missing', () => {
    const res = etl('local', 'samegoal-delivery', '--input', '{"batch":"tonight"}');
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('error: SameGoal.ValidationFailed');
    expect(res.stdout).toContain('students.csv: is required and is not in s3://etl-hub-local-data/samegoal/outbox/tonight/');
  });

  it('refuses, exit 2, a vendor setting set in the environment instead of replacing it without a word', () => {
    const res = etlWith({ GOCONTRACTOR_BASE_URL: 'http://127.0.0.1:9/district' }, 'local', 'gocontractor-export');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('your environment: GOCONTRACTOR_BASE_URL (gocontractor.baseUrl) is set, and the local runtime takes vendor settings from its config file only');
  });

  it('etl doctor --local: one line per check, exit 0 when all pass and 1 on a failure', async () => {
    const ok = etl('doctor', '--local');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok\s+campusgroups\s+auth\s+school 'demo-college' and its API secret were accepted$/m);
    expect(ok.stdout).toContain('11 checks: 0 failures, 0 warnings');
    const server = new CampusGroupsSandbox({ school: 'demo-college', apiSecret: 'fake-right-secret' });
    const baseUrl = await server.start();
    const dir = mkdtempSync(join(tmpdir(), 'etl-doctor-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ campusgroups: { baseUrl, schoolCode: 'demo-college', apiSecret: 'fake-wrong-secret' } }));
    const bad = await etlAsync('doctor', '--local', '--config', config);
    await server.stop();
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^FAILURE\s+campusgroups\s+auth\s+CampusGroups refused the credentials for school code 'demo-college' \(HTTP 401: Invalid API secret/m);
    expect(bad.stdout).not.toContain('fake-wrong-secret');
  });

  it.each([
    [['local'], /etl local takes one pipeline: campusgroups-export, watermark-import/],
    [['local', 'nope'], /Unknown pipeline 'nope'/],
    [['local', 'campusgroups-export', '--input', '{bad'], /--input is not valid JSON/],
    [['local', 'campusgroups-export', '--bogus'], /Unknown option '--bogus'/],
    [['frobnicate'], /Unknown command 'frobnicate'/],
    [['backfill', 'campusgroups-export', '--from', '2025-01-01'], /needs --from and --to/],
    [['watermark', 'registry'], /needs --from/],
  ])('exits 2 on bad usage: %j', (args, message) => {
    const res = etl(...args);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
  });

  it('exits 2 naming the field of a bad config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'etl-cli-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ campusgroups: { baseUrl: 'ftp://x', schoolCode: 'demo-college' } }));
    const res = etl('local', 'campusgroups-export', '--config', config);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`${config}: campusgroups.baseUrl must be an https URL (http only on 127.0.0.1 or localhost), got "ftp://x"`);
  });

  it('etl sandbox serves the CampusGroups API until interrupted', async () => {
    const child = spawn(process.execPath, ['bin/etl.mjs', 'sandbox'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /CampusGroups sandbox: (\S+)/.exec(out);
        if (m && out.includes('Ctrl-C')) {
          expect(out).toMatch(/Watermark sandbox: http:\/\/127\.0\.0\.1:\d+/);
          expect(out).toMatch(/SameGoal SFTP sandbox: sftp:\/\/127\.0\.0\.1:\d+/);
          resolve(m[1]!);
        }
      });
      child.on('close', () => reject(new Error(`exited early: ${out}`)));
    });
    const res = await fetch(`${url}/events?updatedStart=2025-01-01&updatedEnd=2025-01-31`, {
      method: 'POST',
      headers: { 'X-CG-School': 'demo-college', 'X-CG-API-Secret': 'fake-campusgroups-secret-for-local-runs' },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { queryId: string }).queryId).toMatch(/^[0-9a-f-]{36}$/);
    const code = await new Promise<number | null>((resolve) => {
      child.on('close', resolve);
      child.kill('SIGINT');
    });
    expect(code).toBe(0);
  });

  it('prints usage for --help, exit 0', () => {
    const res = etl('--help');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('etl local <pipeline>');
  });

  it('prints no form of a secret from the config file when the vendor echoes the request in its error', async () => {
    const secret = 'cli-"echo\\d"+secret/with=specials&amp;%25-0123456789';
    const server = new CampusGroupsSandbox({ school: 'demo-college', apiSecret: secret, echo: { status: 403, format: 'json' } });
    const baseUrl = await server.start();
    const dir = mkdtempSync(join(tmpdir(), 'etl-cli-echo-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ campusgroups: { baseUrl, schoolCode: 'demo-college', apiSecret: secret } }));
    const res = await etlAsync('local', 'campusgroups-export', '--config', config, '--json');
    await server.stop();
    expect(res.code).toBe(1);
    registerSecret(secret);
    const printed = `${res.stdout}${res.stderr}`;
    expect(printed).toContain('[REDACTED]');
    for (const form of registeredForms().filter((f) => f.includes('echo') || f.includes('ZWNo'))) expect(printed).not.toContain(form);
  });

  it('puts usage on stderr with exit 2 for bad usage, lists the pipelines, and suggests the closest command, pipeline and entity', () => {
    const bare = etl();
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toContain('Usage:');
    expect(etl('lcoal').stderr).toContain("Unknown command 'lcoal'; did you mean 'local'?");
    expect(etl('local').stderr).toContain('etl local takes one pipeline: campusgroups-export, watermark-import, samegoal-delivery, gocontractor-export');
    const typo = etl('local', 'watermark-imprt');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("Unknown pipeline 'watermark-imprt'; did you mean 'watermark-import'?");
    const entity = etl('local', 'campusgroups-export', '--input', '{"entities":["event"]}');
    expect(entity.code).toBe(1);
    expect(entity.stdout).toContain(`Unknown entity "event"; did you mean 'events'?`);
    expect(etl('--help').code).toBe(0);
  });
});
